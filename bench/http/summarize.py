"""Turns one results directory of bench/http/run.sh into summary.csv (every
measured step of every try) and summary.md (one table per database set-up,
Airlock beside the Python baseline, plus the demo). Standard library only.

    summarize.py bench/http/results/<stamp>

When a sweep ran twice (the first started on a busy machine), the tables use
the try that started with the lower load average; the CSV keeps both.
"""

import csv
import json
import sys
from pathlib import Path


def read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def sweep_rows(out: Path):
    rows = []
    for sweep_dir in sorted((out / "rules").glob("*/try*")):
        impl, backend, durability = sweep_dir.parent.name.split("-")
        sweep = read_json(sweep_dir / "sweep.json") or {}
        for wrk_file in sorted(sweep_dir.glob("c*.wrk.json"), key=lambda p: int(p.name[1:].split(".")[0])):
            c = int(wrk_file.name[1:].split(".")[0])
            wrk = read_json(wrk_file)
            verify = read_json(sweep_dir / f"c{c}.verify.json") or {}
            cpu = read_json(sweep_dir / f"c{c}.cpu.json") or {}
            if wrk is None:
                continue
            errors = wrk["errors"]
            lat = wrk["latency_us"]
            rows.append({
                "impl": impl, "backend": backend, "durability": durability,
                "try": int(sweep_dir.name[3:]), "load_before": sweep.get("load_before"),
                "concurrency": c, "duration_s": wrk["duration_s"], "requests": wrk["requests"],
                "ok_200": wrk["ok"], "runs_per_s": round(wrk["rps"], 1),
                "p50_ms": lat["p50"] / 1000, "p90_ms": lat["p90"] / 1000, "p99_ms": lat["p99"] / 1000,
                "max_ms": lat["max"] / 1000,
                "errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"] + (wrk["requests"] - wrk["ok"]),
                "stored": verify.get("stored"), "acknowledged_missing": verify.get("acknowledged_missing"),
                "inputs_stored_twice": verify.get("inputs_stored_twice"),
                "stored_unacknowledged": verify.get("stored_unacknowledged"),
                "verified": verify.get("ok"),
                "transactions": verify.get("transactions"),
                "mean_batch": round(verify["mean_rows_per_transaction"], 1) if verify.get("mean_rows_per_transaction") else None,
                "server_cpu_us_per_run": round(cpu["server_cpu_s"] * 1e6 / wrk["requests"]) if cpu and wrk["requests"] else None,
                "postgres_cpu_us_per_run": round(cpu["postgres_cpu_s"] * 1e6 / wrk["requests"]) if cpu and wrk["requests"] and backend == "postgres" else None,
                "wrk_cpu_us_per_run": round(cpu["wrk_cpu_s"] * 1e6 / wrk["requests"]) if cpu and wrk["requests"] else None,
                "peak_rss_mb": round(sweep["peak_rss_kb"] / 1024, 1) if sweep.get("peak_rss_kb") else None,
            })
    return rows


def best_tries(rows):
    """(impl, backend, durability) -> the try with the lowest load at its start."""
    loads = {}
    for r in rows:
        key = (r["impl"], r["backend"], r["durability"])
        load = r["load_before"] if r["load_before"] is not None else 99.0
        if key not in loads or load < loads[key][1]:
            loads[key] = (r["try"], load)
    return {key: value[0] for key, value in loads.items()}


def fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def cpu(row):
    if not row or row.get("server_cpu_us_per_run") is None:
        return "–"
    if row.get("postgres_cpu_us_per_run") is not None:
        return f"{row['server_cpu_us_per_run']:,} + {row['postgres_cpu_us_per_run']:,}"
    return f"{row['server_cpu_us_per_run']:,}"


def rules_markdown(rows):
    chosen = best_tries(rows)
    picked = [r for r in rows if chosen.get((r["impl"], r["backend"], r["durability"])) == r["try"]]
    lines = []
    order = {"sqlite": 0, "postgres": 1, "fsync": 0, "process": 1}
    setups = sorted({(r["backend"], r["durability"]) for r in picked}, key=lambda s: (order.get(s[0], 9), order.get(s[1], 9), s))
    names = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    for backend, durability in setups:
        lines.append(f"#### {names.get(backend, backend)}, durability `{durability}`\n")
        cpu_head = "CPU µs/run (server + PostgreSQL)" if backend == "postgres" else "CPU µs/run"
        lines.append(f"| c | Airlock runs/s | p50 ms | p99 ms | {cpu_head} | Python runs/s | p50 ms | p99 ms | {cpu_head} | Airlock / Python runs/s | Airlock mean batch |")
        lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        by = {(r["impl"], r["concurrency"]): r for r in picked if r["backend"] == backend and r["durability"] == durability}
        for c in sorted({c for (_, c) in by}):
            a, b = by.get(("airlock", c)), by.get(("baseline", c))
            ratio = f"{a['runs_per_s'] / b['runs_per_s']:.2f}×" if a and b and b["runs_per_s"] else "–"
            lines.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                c,
                fmt(a and a["runs_per_s"], 0), fmt(a and a["p50_ms"], 2), fmt(a and a["p99_ms"], 2), cpu(a),
                fmt(b and b["runs_per_s"], 0), fmt(b and b["p50_ms"], 2), fmt(b and b["p99_ms"], 2), cpu(b),
                ratio, fmt(a and a["mean_batch"]),
            ))
        notes = []
        for impl, label in (("airlock", "Airlock"), ("baseline", "Python")):
            mine = [r for r in picked if r["impl"] == impl and r["backend"] == backend and r["durability"] == durability]
            if not mine:
                continue
            errors = sum(r["errors"] for r in mine)
            verified = all(r["verified"] for r in mine)
            acked = sum(r["ok_200"] for r in mine)
            stored = sum(r["stored"] or 0 for r in mine)
            notes.append(
                f"{label}: load {fmt(mine[0]['load_before'], 2)} at start (try {mine[0]['try']}), "
                f"peak RSS {fmt(mine[0]['peak_rss_mb'])} MB, errors {errors}, "
                f"{acked:,} acknowledged / {stored:,} stored, every acknowledged run stored once: "
                f"{'yes' if verified else 'NO'}"
            )
        lines.append("")
        lines.extend(f"- {n}" for n in notes)
        lines.append("")
    return lines


def demo_markdown(out: Path):
    lines = []
    demo = out / "demo"
    results = sorted(demo.glob("c*.json"), key=lambda p: p.name)
    results = [p for p in results if p.name.count(".") == 1]
    if not results:
        return lines
    server = read_json(demo / "server.json") or {}
    lines.append("| c | requests | runs/s | p50 ms | p99 ms | decisions | classify p50 ms | generate p50 ms (runs) | generate share of step time | load at start |")
    lines.append("|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for p in sorted(results, key=lambda p: int(p.name[1:].split(".")[0])):
        s = read_json(p)
        load = read_json(demo / (p.name[:-5] + ".load.json")) or {}
        steps = s["steps"]
        decisions = ", ".join(f"{k} {v}" for k, v in sorted(s["decisions"].items(), key=lambda kv: -kv[1]))
        reply = steps.get("reply", {})
        lines.append("| {} | {} | {:.2f} | {:,.0f} | {:,.0f} | {} | {} | {} ({}) | {} | {} |".format(
            s["concurrency"], s["requests"], s["runs_per_s"], s["latency_ms"]["p50"], s["latency_ms"]["p99"],
            decisions, fmt(steps.get("intent", {}).get("p50_ms"), 1), fmt(reply.get("p50_ms"), 0), reply.get("ran", 0),
            f"{reply['share_of_step_time'] * 100:.1f}%" if reply.get("share_of_step_time") is not None else "–",
            fmt(load.get("load_before"), 2),
        ))
    lines.append("")
    lines.append(f"Server peak RSS (models loaded): {fmt(server.get('peak_rss_kb', 0) / 1024)} MB.")
    lines.append("")
    return lines


def main():
    out = Path(sys.argv[1])
    rows = sweep_rows(out)
    if rows:
        with open(out / "summary.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    lines = ["# HTTP benchmark results", ""]
    context = out / "context.txt"
    if context.exists():
        lines += ["```", context.read_text().rstrip(), "```", ""]
    if rows:
        lines += ["## Rule-only workflow (`refunds`), wrk closed loop", ""] + rules_markdown(rows)
    demo = demo_markdown(out)
    if demo:
        lines += ["## Demo workflow (`support-triage`), local models", ""] + demo
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
