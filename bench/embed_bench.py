"""Embedding throughput of the Python reference implementations.

Encodes the first N texts of BANKING77 test.csv with all-MiniLM-L6-v2 at
several batch sizes and prints one JSON line per (implementation, batch):

    {"impl": "sentence-transformers", "batch": 64, "sentences_per_sec": ..., "peak_rss_mb": ..., ...}

Implementations: `sentence-transformers` (torch, CPU) and `onnxruntime`
(the graph from export_minilm_onnx.py, with the `tokenizers` fast tokenizer,
mean pooling and normalisation in numpy). Both sort texts by length before
batching, as sentence-transformers' encode() does, so padding is minimal.
`sentences_per_sec` is the median over --repeats timed passes after one
warm-up pass; peak_rss_mb is this process's peak RSS (ru_maxrss), so run one
implementation per process for a clean figure (run.sh does).

    bench/.venv/bin/python bench/embed_bench.py --impl sentence-transformers --batches 1,16,64
"""

import argparse
import json
import statistics
import sys
import time
from typing import Callable

import bench_common  # noqa: F401  (sets the offline environment first)
from bench_common import REPO_ROOT, banking77_texts, minilm_dir, peak_rss_mb

import numpy as np

ONNX_PATH = REPO_ROOT / "bench" / "out" / "onnx" / "minilm.onnx"
MAX_SEQ_LENGTH = 256

Encoder = Callable[[list[str], int], np.ndarray]


def sentence_transformers_encoder(threads: int) -> tuple[Encoder, dict]:
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    model = SentenceTransformer(str(minilm_dir()), device="cpu")
    if model.max_seq_length != MAX_SEQ_LENGTH:
        sys.exit(f"error: expected max_seq_length {MAX_SEQ_LENGTH}, got {model.max_seq_length}")

    def encode(texts: list[str], batch: int) -> np.ndarray:
        with torch.inference_mode():
            return model.encode(texts, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True)

    info = {
        "version": f"sentence-transformers {sentence_transformers.__version__} / torch {torch.__version__}",
        "threads": torch.get_num_threads(),
    }
    return encode, info


def onnxruntime_encoder(threads: int) -> tuple[Encoder, dict]:
    import onnxruntime
    from tokenizers import Tokenizer

    if not ONNX_PATH.is_file():
        sys.exit(f"error: {ONNX_PATH} not found; run bench/export_minilm_onnx.py first")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = onnxruntime.InferenceSession(str(ONNX_PATH), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(minilm_dir() / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_SEQ_LENGTH)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def encode_batch(texts: list[str]) -> np.ndarray:
        encodings = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def encode(texts: list[str], batch: int) -> np.ndarray:
        # Longest first, as sentence-transformers does, then restore order.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), batch):
            chunk = order[start : start + batch]
            out[chunk] = encode_batch([texts[i] for i in chunk])
        return out

    info = {"version": f"onnxruntime {onnxruntime.__version__}", "threads": threads}
    return encode, info


ENCODERS = {"sentence-transformers": sentence_transformers_encoder, "onnxruntime": onnxruntime_encoder}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--impl", choices=sorted(ENCODERS), required=True)
    parser.add_argument("--batches", default="1,16,64", help="comma-separated batch sizes (default 1,16,64)")
    parser.add_argument("--count", type=int, default=1024, help="texts from BANKING77 test.csv (default 1024)")
    parser.add_argument("--threads", type=int, default=2, help="compute threads (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per batch size (default 3)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    batches = [int(b) for b in args.batches.split(",") if b.strip()]
    if not batches or min(batches) < 1 or args.count < 1 or args.repeats < 1 or args.threads < 1:
        sys.exit("error: --batches, --count, --repeats and --threads must be positive")
    texts = banking77_texts("test", limit=args.count)

    encode, info = ENCODERS[args.impl](args.threads)
    print(f"# {args.impl}: {info['version']}, threads {info['threads']}, {len(texts)} texts", file=sys.stderr)

    for batch in batches:
        encode(texts[: max(batch, 64)], batch)  # warm-up at this batch size
        rates = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            vectors = encode(texts, batch)
            elapsed = time.perf_counter() - started
            if vectors.shape != (len(texts), 384):
                sys.exit(f"error: {args.impl} returned shape {vectors.shape}")
            rates.append(len(texts) / elapsed)
        record = {
            "impl": args.impl,
            "batch": batch,
            "sentences": len(texts),
            "sentences_per_sec": round(statistics.median(rates), 2),
            "best_sentences_per_sec": round(max(rates), 2),
            "repeats": args.repeats,
            "threads": info["threads"],
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "version": info["version"],
        }
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
