#!/usr/bin/env python3
"""Turn a gateway benchmark's results.jsonl into summary.md (on stdout).

One table per system: per rate, the success rate, achieved rate and latency
percentiles, plus p50/p99 minus the `direct` (mock alone) baseline at the
same rate; then each system's peak RSS.

Usage: summarize.py bench/gateway/out/<stamp>/results.jsonl > summary.md
"""

import json
import sys


def ms(us):
    return f"{us / 1000:.2f}"


def delta(us, base):
    if base is None:
        return "–"
    return f"{(us - base) / 1000:+.2f}"


def main(path):
    steps, rss, skipped, order = {}, {}, {}, []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            system = row["system"]
            if system not in order:
                order.append(system)
            if row["kind"] == "step":
                steps.setdefault(system, []).append(row)
            elif row["kind"] == "rss":
                rss[system] = row
            elif row["kind"] == "skipped":
                skipped[system] = row

    baseline = {}
    for row in steps.get("direct", []):
        baseline[row["rate"]] = row["loadgen"]["latency_us"]

    out = ["# Gateway benchmark", ""]
    out.append(
        "Open-loop load (airlock-loadgen); latency from the scheduled send "
        "time to the full response body. Δ columns: minus the mock alone "
        "(`direct`) at the same rate."
    )
    out.append("")
    for system in order:
        out.append(f"## {system}")
        out.append("")
        if system in skipped:
            out.append(
                f"Skipped: the probe request answered "
                f"`{skipped[system]['probe_status']}`."
            )
            out.append("")
        rows = steps.get(system, [])
        if rows:
            out.append(
                "| rate/s | sent | success | achieved/s | p50 ms | p90 ms "
                "| p99 ms | p99.9 ms | max ms | Δp50 ms | Δp99 ms | errors |"
            )
            out.append("|---:" * 11 + "|:---|")
            for row in rows:
                s = row["loadgen"]
                lat = s["latency_us"]
                base = baseline.get(row["rate"]) if system != "direct" else None
                errors = " ".join(f"{k}={v}" for k, v in s["errors"].items())
                out.append(
                    f"| {row['rate']} | {s['sent']} | {s['success_rate'] * 100:.2f}% "
                    f"| {s['achieved_rate']:.0f} | {ms(lat['p50'])} | {ms(lat['p90'])} "
                    f"| {ms(lat['p99'])} | {ms(lat['p999'])} | {ms(lat['max'])} "
                    f"| {delta(lat['p50'], base and base['p50'])} "
                    f"| {delta(lat['p99'], base and base['p99'])} | {errors} |"
                )
            out.append("")
        if system in rss:
            r = rss[system]
            out.append(
                f"Peak RSS (VmHWM): server {r['server_vmhwm_kb'] / 1024:.1f} MiB, "
                f"mock {r['mock_vmhwm_kb'] / 1024:.1f} MiB."
            )
            out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
