"""Turn the raw output of bench/run.sh into bench/out/results.md.

Reads every `<name>.jsonl` (JSON lines printed by one benchmark process) and
its `<name>.time` (GNU time -v output) in the raw directory. Names encode
what was run: `embed__<impl>__b<batch>` and
`generate__<scenario>__<impl>__t<threads>`. Standard library only, so it runs
with any Python 3.

    python3 bench/summarize.py bench/out/raw bench/out/results.md
"""

import json
import re
import sys
from pathlib import Path

AIRLOCK = "airlock"
EMBED_REFERENCES = ["sentence-transformers", "onnxruntime"]
GENERATE_REFERENCE = "llama-cpp-python"


def time_v_peak_rss_mb(path: Path) -> float | None:
    if not path.is_file():
        return None
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", path.read_text(errors="replace"))
    return int(match.group(1)) / 1024.0 if match else None


def load_records(raw: Path) -> dict[tuple, dict]:
    """Maps (kind, scenario, impl, size) to the process's last JSON record plus its peak RSS."""
    records: dict[tuple, dict] = {}
    for jsonl in sorted(raw.glob("*.jsonl")):
        parts = jsonl.stem.split("__")
        lines = [line for line in jsonl.read_text(errors="replace").splitlines() if line.startswith("{")]
        record: dict = {}
        for line in lines:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
        record["rss_time_v_mb"] = time_v_peak_rss_mb(jsonl.with_suffix(".time"))
        # The two sides name a few fields differently.
        for alias, key in (("time_to_first_token_ms", "ttft_ms"), ("completion_tokens", "generated_tokens")):
            if alias in record and key not in record:
                record[key] = record[alias]
        if parts[0] == "embed" and len(parts) == 3:
            records[("embed", "quiet", parts[1], int(parts[2].lstrip("b")))] = record
        elif parts[0] == "generate" and len(parts) == 4:
            records[("generate", parts[1], parts[2], int(parts[3].lstrip("t")))] = record
    return records


def fmt(value, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def ratio(ours, theirs) -> str:
    if ours is None or theirs is None or theirs == 0:
        return "n/a"
    return f"{ours / theirs:.2f}×"


def embed_table(records: dict) -> list[str]:
    sizes = sorted({key[3] for key in records if key[0] == "embed"})
    header = ["batch", "airlock sent/s"]
    header += [f"{ref} sent/s" for ref in EMBED_REFERENCES]
    header += [f"airlock / {ref}" for ref in EMBED_REFERENCES]
    header += ["airlock RSS MB"] + [f"{ref} RSS MB" for ref in EMBED_REFERENCES]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for size in sizes:
        get = lambda impl: records.get(("embed", "quiet", impl, size), {})  # noqa: E731
        ours = get(AIRLOCK).get("sentences_per_sec")
        cells = [str(size), fmt(ours)]
        cells += [fmt(get(ref).get("sentences_per_sec")) for ref in EMBED_REFERENCES]
        cells += [ratio(ours, get(ref).get("sentences_per_sec")) for ref in EMBED_REFERENCES]
        cells += [fmt(get(AIRLOCK).get("rss_time_v_mb"), 0)]
        cells += [fmt(get(ref).get("rss_time_v_mb"), 0) for ref in EMBED_REFERENCES]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def generate_table(records: dict) -> list[str]:
    keys = sorted({(key[1], key[3]) for key in records if key[0] == "generate"}, key=lambda k: (k[0] != "quiet", k))
    header = [
        "scenario", "threads", "prompt / new tokens (airlock; llama.cpp)",
        "airlock TTFT ms", "llama.cpp TTFT ms", "TTFT airlock / llama.cpp",
        "airlock decode tok/s", "llama.cpp decode tok/s", "decode airlock / llama.cpp",
        "airlock RSS MB", "llama.cpp RSS MB",
    ]  # fmt: skip
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for scenario, threads in keys:
        ours = records.get(("generate", scenario, AIRLOCK, threads), {})
        theirs = records.get(("generate", scenario, GENERATE_REFERENCE, threads), {})
        cells = [
            scenario, str(threads),
            f"{ours.get('prompt_tokens', '?')}/{ours.get('generated_tokens', '?')}; "
            f"{theirs.get('prompt_tokens', '?')}/{theirs.get('generated_tokens', '?')}",
            fmt(ours.get("ttft_ms")), fmt(theirs.get("ttft_ms")), ratio(ours.get("ttft_ms"), theirs.get("ttft_ms")),
            fmt(ours.get("decode_tokens_per_sec")), fmt(theirs.get("decode_tokens_per_sec")),
            ratio(ours.get("decode_tokens_per_sec"), theirs.get("decode_tokens_per_sec")),
            fmt(ours.get("rss_time_v_mb"), 0), fmt(theirs.get("rss_time_v_mb"), 0),
        ]  # fmt: skip
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def versions(records: dict) -> list[str]:
    seen = sorted({record["version"] for record in records.values() if isinstance(record.get("version"), str)})
    return [f"- {version}" for version in seen]


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: summarize.py RAW_DIR RESULTS_MD")
    raw, output = Path(sys.argv[1]), Path(sys.argv[2])
    records = load_records(raw)
    if not records:
        sys.exit(f"error: no benchmark output (*.jsonl) in {raw}")
    context = (raw / "context.txt").read_text(errors="replace").strip() if (raw / "context.txt").is_file() else ""
    lines = [
        "# Airlock vs Python reference implementations",
        "",
        "Generated by bench/run.sh. Ratios are Airlock / reference: above 1× means Airlock is faster for",
        "throughput (sent/s, tok/s), below 1× means Airlock is faster for TTFT. RSS is each benchmark",
        "process's peak resident set size from GNU time -v (model load included). `busy` rows ran with one",
        "CPU-burning process competing for the 2 cores. `n/a`: that side did not run or failed (see its",
        "`.log` in the raw directory).",
        "",
        "## Machine and run",
        "",
        "```",
        context,
        "```",
        "",
        "## Embeddings: all-MiniLM-L6-v2, first BANKING77 test texts, sentences/s",
        "",
        *embed_table(records),
        "",
        "## Generation: SmolLM2-135M-Instruct Q4_1 GGUF, greedy",
        "",
        *generate_table(records),
        "",
        "## Versions",
        "",
        *versions(records),
        "",
    ]
    output.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
