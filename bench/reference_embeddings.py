"""Regenerate crates/airlock-inference/tests/data/minilm_reference.json.

Reference sentence embeddings from sentence-transformers (torch, CPU) for the
installed all-MiniLM-L6-v2, which Airlock's candle implementation is tested
against. Run inside the bench venv (scripts/bench-env.sh):

    bench/.venv/bin/python bench/reference_embeddings.py
"""

import json
import sys

import bench_common  # noqa: F401  (sets the offline environment first)
from bench_common import REPO_ROOT, banking77_texts, minilm_dir

import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

OUTPUT = REPO_ROOT / "crates" / "airlock-inference" / "tests" / "data" / "minilm_reference.json"

# Rows of BANKING77 test.csv (0-based, in file order) used as ordinary
# short banking messages; spread over the file so several intents appear.
BANKING77_ROWS = [0, 1, 200, 777, 1500, 2300, 3000]


def long_text() -> str:
    """A text of well over 256 word-pieces, so truncation at max_seq_length matters."""
    sentences = banking77_texts("train", limit=60)
    return " ".join(sentences)


def handmade_sentences() -> list[str]:
    return [
        "card",  # a single word
        "?!...",  # punctuation only
        "My CaRd Was DECLINED at the ATM in München",  # mixed case + accent
        "Café déjà vu: naïve façade, coöperate, Ångström, Øresund",  # accents
        "Why was I charged 3.50 € extra?? 😡💳",  # currency sign + emoji
        "我的银行卡丢了，怎么办？",  # CJK
        "カードが届きません",  # Japanese kana
        "Где моя карта? أين بطاقتي؟",  # Cyrillic + Arabic
        "I NEED TO TOP UP MY ACCOUNT RIGHT NOW",  # all caps
        "Transfer 1,234,567.89 USD to account 00012345 on 2026-11-22",  # numbers
        "   I   lost\tmy\n\ncard    yesterday   ",  # extra / odd whitespace
        "",  # empty string
        long_text(),
    ]


def sentences() -> list[str]:
    test = banking77_texts("test")
    return [test[row] for row in BANKING77_ROWS] + handmade_sentences()


def round_sig(value: float, digits: int = 7) -> float:
    return float(f"{value:.{digits}g}")


def to_json_lines(document: dict) -> str:
    """JSON with one top-level key, and one list element, per line (readable diffs)."""
    lines = []
    for key, value in document.items():
        if isinstance(value, list):
            items = [json.dumps(item, ensure_ascii=False) for item in value]
            body = "[\n    " + ",\n    ".join(items) + "\n  ]"
        else:
            body = json.dumps(value, ensure_ascii=False)
        lines.append(f"  {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main() -> None:
    torch.set_num_threads(2)
    model = SentenceTransformer(str(minilm_dir()), device="cpu")
    if model.max_seq_length != 256:
        sys.exit(f"error: expected max_seq_length 256 for all-MiniLM-L6-v2, got {model.max_seq_length}")

    texts = sentences()
    # Word-piece counts including [CLS]/[SEP], before and after truncation:
    # they show which case exercises truncation, and help debug tokenizers.
    untruncated = [len(model.tokenizer(text)["input_ids"]) for text in texts]
    if max(untruncated) <= 300:
        sys.exit(f"error: the long text has only {max(untruncated)} word-pieces; make it longer")
    truncated = [min(count, model.max_seq_length) for count in untruncated]

    embeddings = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, batch_size=8)
    if embeddings.shape != (len(texts), 384):
        sys.exit(f"error: unexpected embedding shape {embeddings.shape}")

    reference = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "generator": f"sentence-transformers {sentence_transformers.__version__} / torch {torch.__version__}",
        "max_seq_length": model.max_seq_length,
        "normalized": True,
        "pooling": "mean",
        "sentences": texts,
        "token_counts": truncated,
        "token_counts_untruncated": untruncated,
        "embeddings": [[round_sig(float(x)) for x in row] for row in embeddings],
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(to_json_lines(reference), encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(texts)} sentences, token counts {truncated})")


if __name__ == "__main__":
    main()
