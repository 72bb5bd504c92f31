#!/usr/bin/env python3
"""The review loop demo: BANKING77 messages through a running `airlock serve`,
a scripted reviewer who knows the dataset's true labels, and the quality
numbers that result. Python standard library only (no pip).

Two subcommands:

  slices   split BANKING77's test set into a *demo* slice (messages sent to
           the server) and a *held-out* slice (never sent; used to compare
           classifiers after retraining), and optionally write a small
           per-label subset of the training set.

  run      send N messages of the demo slice to the server, then play the
           reviewer: list the open review tasks of those runs, claim each
           and resolve it with the true label (approve when the suggestion
           is right, override with the corrected output otherwise). Runs the
           workflow decided without a person whose label was wrong get
           feedback (`ticket_reopened` with the true label), as a downstream
           system would send. Prints timings and GET
           /v1/workflows/support-triage/quality.

The slices are a fixed shuffle (seed 7) of the test file's rows: the first
half is the demo slice, the second the held-out slice, so the two never
overlap. See docs/retraining.md for the whole loop and measured figures.
"""

import argparse
import concurrent.futures
import csv
import json
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "examples" / "support-triage" / "data"
TEST_CSV = DATA / "banking77-test.csv"
TRAIN_CSV = DATA / "banking77-train.csv"
SEED = 7


def read_rows(path):
    """(text, label) rows of a BANKING77 CSV (columns text,category)."""
    with open(path, newline="", encoding="utf-8") as f:
        return [(row["text"], row["category"]) for row in csv.DictReader(f)]


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "category"])
        writer.writerows(rows)


def test_slices(path=TEST_CSV):
    """(demo, held_out): the test rows shuffled with SEED, split in half."""
    rows = read_rows(path)
    order = list(range(len(rows)))
    random.Random(SEED).shuffle(order)
    half = len(order) // 2
    return [rows[i] for i in order[:half]], [rows[i] for i in order[half:]]


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Api:
    def __init__(self, base, timeout):
        self.base = base.rstrip("/")
        self.timeout = timeout

    def call(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace")
            try:
                raise ApiError(e.code, json.loads(text)) from None
            except json.JSONDecodeError:
                raise ApiError(e.code, text) from None


def send(api, workflow, index, text):
    """Runs one message; returns (run view, seconds)."""
    started = time.monotonic()
    try:
        run = api.call(
            "POST",
            f"/v1/workflows/{workflow}/runs",
            {"message": text},
            {"Idempotency-Key": f"review-loop-{index}"},
        )
    except ApiError as e:
        # A run that failed its contract still has a body with the run.
        if isinstance(e.body, dict) and "run_id" in e.body:
            run = e.body
        else:
            raise
    return run, time.monotonic() - started


def open_tasks(api, workflow):
    """Every unresolved, unclaimed task of the workflow, oldest due first."""
    cursor = None
    while True:
        query = {"workflow": workflow, "status": "open", "limit": "200"}
        if cursor:
            query["cursor"] = cursor
        page = api.call("GET", "/v1/reviews?" + urllib.parse.urlencode(query))
        yield from page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return


def review(api, task, truth, reviewer):
    """Claims and resolves one task with the true label; returns the action."""
    api.call("POST", f"/v1/reviews/{task['review_id']}/claim", {"reviewer": reviewer})
    suggestion = task["suggestion"]
    if suggestion.get("label") == truth:
        body = {"reviewer": reviewer, "action": "approve"}
    else:
        corrected = dict(suggestion.get("output") or {})
        corrected["intent"] = truth
        # The confidence was the model's; a person decided this one.
        corrected["confidence"] = None
        corrected.setdefault("reply", "Thanks, a person will get back to you shortly.")
        body = {
            "reviewer": reviewer,
            "action": "override",
            "output": corrected,
            "label": truth,
            "reason": f"BANKING77 true label is {truth}",
        }
    api.call("POST", f"/v1/reviews/{task['review_id']}/resolve", body)
    return body["action"]


def rate(value):
    return "-" if value is None else f"{value:.3f}"


def print_quality(quality):
    t = quality["totals"]
    d = t["decisions"]
    r = t["reviews"]
    b = quality["backlog"]
    f = quality["feedback"]
    print(f"quality of {quality['workflow']} (all versions, all time):")
    print(f"  runs {t['runs']}: auto {d['auto']}, review {d['review']}, "
          f"fallback {d['fallback']}, block {d['block']}")
    print(f"  automation rate {rate(t['automation_rate'])}, review rate {rate(t['review_rate'])}")
    print(f"  reviews: {r['created']} created, {r['resolved']} resolved "
          f"({r['approved']} approved, {r['overridden']} overridden, {r['rejected']} rejected), "
          f"SLA breaches {r['sla_breaches']}")
    print(f"  override rate {rate(t['override_rate'])}, "
          f"suggestion accuracy on reviewed runs {rate(t['suggestion_accuracy'])} "
          f"({t['correct_suggestions']}/{t['labelled_reviews']})")
    print(f"  backlog {b['size']} (oldest {b['oldest_age_seconds']:.0f} s), "
          f"feedback {f['records']} ({f['labelled']} labelled)")
    worst = sorted(
        (l for l in t["labels"] if l["recall"] is not None and l["actual"] >= 3),
        key=lambda l: (l["recall"], l["label"]),
    )[:5]
    if worst:
        print("  labels the model got wrong most often on reviewed runs (recall):")
        for l in worst:
            print(f"    {l['label']:<40} recall {rate(l['recall'])} "
                  f"({l['correct']}/{l['actual']}), precision {rate(l['precision'])}")


def cmd_slices(args):
    demo, held_out = test_slices()
    write_rows(args.holdout, held_out)
    print(f"held-out slice: {len(held_out)} rows -> {args.holdout}")
    if args.demo:
        write_rows(args.demo, demo)
        print(f"demo slice: {len(demo)} rows -> {args.demo}")
    if args.train_subset:
        by_label = defaultdict(list)
        for text, label in read_rows(TRAIN_CSV):
            by_label[label].append((text, label))
        subset = []
        rng = random.Random(SEED)
        for label in sorted(by_label):
            rows = by_label[label]
            rng.shuffle(rows)
            subset.extend(rows[: args.per_label])
        write_rows(args.train_subset, subset)
        print(f"training subset: {len(subset)} rows ({args.per_label} per label) -> {args.train_subset}")


def cmd_run(args):
    api = Api(args.server, args.timeout)
    demo, _ = test_slices()
    batch = list(enumerate(demo[args.offset: args.offset + args.count], start=args.offset))
    print(f"sending {len(batch)} messages of the demo slice to {args.server} "
          f"({args.concurrency} at a time)", file=sys.stderr)

    truth = {}
    decisions = Counter()
    seconds = defaultdict(list)
    wrong_without_review = []
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        futures = {pool.submit(send, api, args.workflow, i, text): (i, text, label)
                   for i, (text, label) in batch}
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            _, _, label = futures[future]
            run, took = future.result()
            truth[run["run_id"]] = label
            decisions[run["decision"]] += 1
            seconds[run["decision"]].append(took)
            predicted = (run.get("output") or {}).get("intent")
            if run["decision"] in ("auto", "fallback") and predicted != label:
                wrong_without_review.append((run["run_id"], label))
            if done % 25 == 0 or done == len(batch):
                print(f"  {done}/{len(batch)} runs ({time.monotonic() - started:.0f} s)",
                      file=sys.stderr)
    send_time = time.monotonic() - started
    print(f"sent {len(batch)} messages in {send_time:.0f} s: "
          + ", ".join(f"{k} {v}" for k, v in sorted(decisions.items())))
    for decision, times in sorted(seconds.items()):
        print(f"  {decision}: mean {sum(times) / len(times):.2f} s per run "
              f"(with {args.concurrency} in flight)")

    feedback = 0
    if not args.no_feedback:
        for run_id, label in wrong_without_review:
            api.call("POST", f"/v1/runs/{run_id}/feedback", {
                "key": "review-loop-truth",
                "label": label,
                "outcome": "ticket_reopened",
                "comment": "the customer's issue was another one",
            })
            feedback += 1
        print(f"feedback: {feedback} runs decided without a person had the wrong intent "
              f"(sent as ticket_reopened with the true label)")

    started = time.monotonic()
    actions = Counter()
    skipped = 0
    for task in list(open_tasks(api, args.workflow)):
        label = truth.get(task["run_id"])
        if label is None:
            continue  # not one of ours
        try:
            actions[review(api, task, label, args.reviewer)] += 1
        except ApiError as e:
            skipped += 1
            print(f"  review {task['review_id']}: {e}", file=sys.stderr)
    review_time = time.monotonic() - started
    print(f"reviewed {sum(actions.values())} tasks in {review_time:.1f} s: "
          + ", ".join(f"{k} {v}" for k, v in sorted(actions.items()))
          + (f" ({skipped} skipped)" if skipped else ""))

    quality = api.call("GET", f"/v1/workflows/{args.workflow}/quality")
    print_quality(quality)
    if args.quality_json:
        Path(args.quality_json).write_text(json.dumps(quality, indent=2) + "\n")
        print(f"quality JSON -> {args.quality_json}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    slices = sub.add_parser("slices", help="write the held-out (and demo) slice of the test set")
    slices.add_argument("--holdout", required=True, help="CSV to write the held-out slice to")
    slices.add_argument("--demo", help="CSV to write the demo slice to")
    slices.add_argument("--train-subset", help="CSV to write a per-label subset of the training set to")
    slices.add_argument("--per-label", type=int, default=10, help="examples per label in --train-subset")
    slices.set_defaults(func=cmd_slices)

    run = sub.add_parser("run", help="send messages, review them, print quality")
    run.add_argument("--server", default="http://127.0.0.1:8080")
    run.add_argument("--workflow", default="support-triage")
    run.add_argument("--count", type=int, default=200, help="messages to send")
    run.add_argument("--offset", type=int, default=0, help="start at this row of the demo slice")
    run.add_argument("--concurrency", type=int, default=2, help="requests in flight")
    run.add_argument("--reviewer", default="review-loop")
    run.add_argument("--timeout", type=float, default=300, help="seconds per request")
    run.add_argument("--no-feedback", action="store_true", help="send no feedback")
    run.add_argument("--quality-json", help="also write the quality report to this file")
    run.set_defaults(func=cmd_run)

    args = parser.parse_args()
    try:
        args.func(args)
    except (ApiError, urllib.error.URLError) as e:
        sys.exit(f"review-loop: {e}")


if __name__ == "__main__":
    main()
