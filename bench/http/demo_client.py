"""Closed-loop client for the demo series of bench/http/run.sh: POSTs
BANKING77 test messages to `support-triage` from C connections at once and
records, per run, the latency seen by the client, the decision and each
step's own latency from the run record (`steps[].latency_ms`).

    demo_client.py --url http://HOST:PORT --csv banking77-test.csv \
        --requests 100 --concurrency 4 --warmup 2 --out DIR/c4

Writes OUT.runs.jsonl (one line per run) and OUT.json (the summary).
Standard library only. The messages are every k-th row of the CSV (k so
that `--requests` rows spread over all 77 intents), the same set for every
concurrency.
"""

import argparse
import csv
import http.client
import os
import json
import statistics
import threading
import time
from collections import Counter
from urllib.parse import urlparse


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def pick_messages(path, count):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    stride = max(1, len(rows) // count)
    return [{"message": r["text"], "category": r["category"]} for r in rows[::stride][:count]]


class Client:
    def __init__(self, url):
        parsed = urlparse(url)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=600)

    def post(self, message):
        body = json.dumps({"message": message}).encode()
        started = time.perf_counter()
        headers = {"Content-Type": "application/json"}
        if os.environ.get("BENCH_API_KEY"):
            headers["Authorization"] = "Bearer " + os.environ["BENCH_API_KEY"]
        self.connection.request("POST", "/v1/workflows/support-triage/runs", body, headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        return response.status, json.loads(data), elapsed_ms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    messages = pick_messages(args.csv, args.requests)
    warm = Client(args.url)
    for item in messages[-args.warmup:] if args.warmup else []:
        warm.post(item["message"])

    queue = list(enumerate(messages))
    lock = threading.Lock()
    records = []

    def worker():
        client = Client(args.url)
        while True:
            with lock:
                if not queue:
                    return
                index, item = queue.pop(0)
            status, body, elapsed_ms = client.post(item["message"])
            steps = {s["name"]: s for s in body.get("steps", [])}
            record = {
                "index": index,
                "status": status,
                "client_ms": elapsed_ms,
                "run_latency_ms": body.get("latency_ms"),
                "decision": body.get("decision"),
                "rule": body.get("rule"),
                "run_status": body.get("status"),
                "category": item["category"],
                "intent": (body.get("output") or {}).get("intent") if body.get("output") else (steps.get("intent", {}).get("output") or {}).get("label"),
                "steps": {
                    name: {
                        "skipped": s["skipped"],
                        "latency_ms": s["latency_ms"],
                        "prompt_tokens": (s.get("output") or {}).get("prompt_tokens"),
                        "completion_tokens": (s.get("output") or {}).get("completion_tokens"),
                        "error": s.get("error"),
                    }
                    for name, s in steps.items()
                },
            }
            with lock:
                records.append(record)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall_s = time.perf_counter() - started

    records.sort(key=lambda r: r["index"])
    with open(args.out + ".runs.jsonl", "w") as f:
        for record in records:
            f.write(json.dumps(record) + "\n")

    latencies = [r["client_ms"] for r in records]

    def step_stats(name, ran_only=True):
        values = [r["steps"][name]["latency_ms"] for r in records if name in r["steps"] and not (ran_only and r["steps"][name]["skipped"])]
        if not values:
            return {"ran": 0}
        return {
            "ran": len(values),
            "mean_ms": statistics.fmean(values),
            "p50_ms": percentile(values, 50),
            "p99_ms": percentile(values, 99),
            "total_ms": sum(values),
        }

    step_names = list(records[0]["steps"]) if records else []
    steps_summary = {name: step_stats(name) for name in step_names}
    total_step_ms = sum(s.get("total_ms", 0.0) for s in steps_summary.values())
    for s in steps_summary.values():
        s["share_of_step_time"] = (s.get("total_ms", 0.0) / total_step_ms) if total_step_ms else None
    tokens = [r["steps"]["reply"]["completion_tokens"] for r in records if "reply" in r["steps"] and not r["steps"]["reply"]["skipped"] and r["steps"]["reply"]["completion_tokens"]]
    prompts = [r["steps"]["reply"]["prompt_tokens"] for r in records if "reply" in r["steps"] and not r["steps"]["reply"]["skipped"] and r["steps"]["reply"].get("prompt_tokens")]
    run_ms = [r["run_latency_ms"] for r in records if r["run_latency_ms"] is not None]
    summary = {
        "requests": len(records),
        "concurrency": args.concurrency,
        "wall_s": wall_s,
        "runs_per_s": len(records) / wall_s,
        "statuses": dict(Counter(str(r["status"]) for r in records)),
        "latency_ms": {"p50": percentile(latencies, 50), "p90": percentile(latencies, 90), "p99": percentile(latencies, 99), "max": max(latencies), "mean": statistics.fmean(latencies)},
        "run_latency_mean_ms": statistics.fmean(run_ms) if run_ms else None,
        "decisions": dict(Counter(r["decision"] for r in records)),
        "rules": dict(Counter(r["rule"] for r in records)),
        "intent_correct": sum(1 for r in records if r["intent"] == r["category"]),
        "steps": steps_summary,
        "reply_completion_tokens_mean": statistics.fmean(tokens) if tokens else None,
        "reply_prompt_tokens_mean": statistics.fmean(prompts) if prompts else None,
        "step_errors": sum(1 for r in records for s in r["steps"].values() if s["error"]),
    }
    with open(args.out + ".json", "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
