"""Regenerate crates/airlock-inference/tests/data/smollm_token_ids.json.

Reference token ids from llama.cpp's tokenizer (through llama-cpp-python) for
the installed SmolLM2-135M-Instruct GGUF, which Airlock's GGUF tokenizer is
tested against, plus llama.cpp's greedy completion of a ChatML prompt to
compare Airlock's generation with. Run inside the bench venv
(scripts/bench-env.sh):

    bench/.venv/bin/python bench/reference_tokens.py
"""

import json
import re

import bench_common  # noqa: F401  (sets the offline environment first)
from bench_common import REPO_ROOT, banking77_texts, smollm_gguf

import llama_cpp

OUTPUT = REPO_ROOT / "crates" / "airlock-inference" / "tests" / "data" / "smollm_token_ids.json"

CHATML_PROMPT = (
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
    "<|im_start|>assistant\n"
)
GREEDY_MAX_TOKENS = 32


def cases() -> list[str]:
    return [
        CHATML_PROMPT,
        "<|im_start|>system",
        "<|im_end|>",
        "12345 3.14159 2026-11-22",
        "Hello world",
        "Café naïve façade déjà vu",
        "Emoji: 😀🚀💳 and flags 🇫🇷",
        "中文测试：我的银行卡丢了",
        "مرحبا بالعالم",
        "def f(x):\n    if x:\n\treturn 1\n    return 0\n",
        "multiple   spaces    here",
        " leading space",
        "trailing newline\n\n",
        "I'm don't you'll we've",
        banking77_texts("test")[0],
        "",
    ]


def compact_int_lists(text: str) -> str:
    """Put each list of token ids on one line instead of one id per line."""

    def one_line(match: re.Match) -> str:
        return "[" + ", ".join(part.strip() for part in match.group(1).split(",")) + "]"

    return re.sub(r"\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]", one_line, text)


def main() -> None:
    llm = llama_cpp.Llama(model_path=str(smollm_gguf()), vocab_only=True, verbose=False)
    tokenized = [
        {"text": text, "ids": llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)} for text in cases()
    ]
    del llm

    # A full model for the greedy completion: temperature 0 means argmax
    # in llama-cpp-python; a fixed seed and one thread keep it repeatable.
    llm = llama_cpp.Llama(model_path=str(smollm_gguf()), n_ctx=512, n_threads=1, seed=0, verbose=False)
    prompt_ids = llm.tokenize(CHATML_PROMPT.encode("utf-8"), add_bos=False, special=True)
    completion_ids: list[int] = []
    for token in llm.generate(prompt_ids, temp=0.0, top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0):
        if llm.token_eos() == token:
            break
        completion_ids.append(token)
        if len(completion_ids) >= GREEDY_MAX_TOKENS:
            break
    bos_id, eos_id = llm.token_bos(), llm.token_eos()
    completion_text = llm.detokenize(completion_ids).decode("utf-8", errors="replace")

    reference = {
        "generator": f"llama-cpp-python {llama_cpp.__version__}",
        "model": "SmolLM2-135M-Instruct.Q4_1.gguf",
        "tokenize": "Llama.tokenize(text, add_bos=False, special=True)",
        "bos_id": bos_id,
        "eos_id": eos_id,
        "cases": tokenized,
        "greedy_completion": {
            "prompt": CHATML_PROMPT,
            "prompt_ids": prompt_ids,
            "max_tokens": GREEDY_MAX_TOKENS,
            "stopped_at_eos": len(completion_ids) < GREEDY_MAX_TOKENS,
            "text": completion_text,
            "ids": completion_ids,
        },
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(compact_int_lists(json.dumps(reference, ensure_ascii=False, indent=1)) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(tokenized)} cases); greedy completion: {completion_text!r}")


if __name__ == "__main__":
    main()
