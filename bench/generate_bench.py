"""Generation speed of llama.cpp (llama-cpp-python) on the SmolLM2 GGUF.

Greedy decoding of a fixed ChatML prompt for exactly --tokens new tokens
(end-of-sequence is ignored so every run decodes the same number), and one
JSON line per thread count:

    {"impl": "llama-cpp-python", "threads": 1, "ttft_ms": ..., "decode_tokens_per_sec": ..., "peak_rss_mb": ...}

ttft_ms is the time from handing over the prompt to the first sampled token
(prompt evaluation + one sampling step); decode_tokens_per_sec counts the
remaining tokens over the time after the first one. Each figure is the
median over --repeats runs after a short warm-up; the KV cache is reset
before every run so no prompt prefix is reused. peak_rss_mb is this
process's peak RSS: run one thread count per process for a clean figure
(run.sh does).

    bench/.venv/bin/python bench/generate_bench.py --threads 1,2
"""

import argparse
import json
import statistics
import sys
import time

import bench_common  # noqa: F401  (sets the offline environment first)
from bench_common import peak_rss_mb, smollm_gguf

import llama_cpp

PROMPT = (
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    "<|im_start|>user\nExplain step by step what happens when I pay in a shop with my bank card, "
    "from tapping the card to the money leaving my account.<|im_end|>\n"
    "<|im_start|>assistant\n"
)


def timed_run(llm: llama_cpp.Llama, prompt_ids: list[int], tokens: int) -> tuple[float, float, list[int]]:
    """(seconds to first token, seconds for the rest, generated ids)."""
    llm.reset()
    generated: list[int] = []
    started = time.perf_counter()
    first_at = started
    for token in llm.generate(prompt_ids, temp=0.0, top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0, reset=True):
        if not generated:
            first_at = time.perf_counter()
        generated.append(token)
        if len(generated) >= tokens:
            break
    finished = time.perf_counter()
    return first_at - started, finished - first_at, generated


def bench_threads(threads: int, tokens: int, repeats: int) -> dict:
    llm = llama_cpp.Llama(
        model_path=str(smollm_gguf()),
        n_ctx=1024,
        n_batch=512,
        n_threads=threads,
        n_threads_batch=threads,
        seed=0,
        verbose=False,
    )
    prompt_ids = llm.tokenize(PROMPT.encode("utf-8"), add_bos=False, special=True)
    if len(prompt_ids) + tokens > llm.n_ctx():
        sys.exit(f"error: prompt ({len(prompt_ids)}) + {tokens} tokens exceed the context of {llm.n_ctx()}")

    timed_run(llm, prompt_ids, 8)  # warm-up
    ttfts, decode_rates, first_ids = [], [], None
    for _ in range(repeats):
        ttft, rest, ids = timed_run(llm, prompt_ids, tokens)
        if len(ids) != tokens:
            sys.exit(f"error: generated {len(ids)} tokens, expected {tokens}")
        if first_ids is None:
            first_ids = ids
        elif ids != first_ids:
            print("# warning: greedy output differed between runs", file=sys.stderr)
        ttfts.append(ttft)
        decode_rates.append((tokens - 1) / rest)
    text = llm.detokenize(first_ids or []).decode("utf-8", errors="replace")
    return {
        "impl": "llama-cpp-python",
        "threads": threads,
        "prompt_tokens": len(prompt_ids),
        "generated_tokens": tokens,
        "ttft_ms": round(statistics.median(ttfts) * 1000.0, 2),
        "decode_tokens_per_sec": round(statistics.median(decode_rates), 2),
        "best_decode_tokens_per_sec": round(max(decode_rates), 2),
        "repeats": repeats,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "version": f"llama-cpp-python {llama_cpp.__version__}",
        "completion_head": text[:80],
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--tokens", type=int, default=128, help="new tokens per run (default 128)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per thread count (default 3)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    thread_counts = [int(t) for t in args.threads.split(",") if t.strip()]
    if not thread_counts or min(thread_counts) < 1 or args.tokens < 2 or args.repeats < 1:
        sys.exit("error: --threads and --repeats must be positive and --tokens at least 2")
    for threads in thread_counts:
        print(json.dumps(bench_threads(threads, args.tokens, args.repeats), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
