"""Checks one load step of bench/http/run.sh against the database: every run
that was acknowledged with 200 is stored exactly once, and nothing else of
that step is stored except requests wrk had sent but not yet seen answered
when its clock ran out (at most one per connection).

    verify.py --db-url URL [--schema S] --flavor airlock|baseline --tag TAG \
              --ids ACKED_IDS_FILE --concurrency C --out RESULT.json

The step's runs are found by their input's `order`, which starts with TAG.
Prints the result JSON and exits 1 when the check fails.
"""

import argparse
import asyncio
import json
import sqlite3
import sys
from collections import Counter

QUERIES = {
    # Airlock's payloads are encrypted at rest: its runs are found through the
    # audit log instead, whose `run.recorded` record of each run carries the
    # SHA-256 of the stored input (equal inputs, equal hashes), within the
    # step's time window.
    ("airlock", "sqlite"): "SELECT substr(subject, 5), json_extract(details, '$.payload_sha256.input') FROM audit_log WHERE event = 'run.recorded' AND at_ms BETWEEN ? AND ?",
    ("baseline", "sqlite"): "SELECT id, json_extract(record, '$.input.order') FROM runs WHERE substr(json_extract(record, '$.input.order'), 1, ?) = ?",
    # xmin: the transaction that inserted the row, so the number of distinct
    # values is the number of commits (Airlock's group-commit batches).
    ("airlock", "postgres"): "SELECT substr(subject, 5), details::json->'payload_sha256'->>'input', xmin::text FROM audit_log WHERE event = 'run.recorded' AND at BETWEEN to_timestamp($1 / 1000.0) AND to_timestamp($2 / 1000.0)",
    ("baseline", "postgres"): "SELECT id, record->'input'->>'order', xmin::text FROM runs WHERE left(record->'input'->>'order', $1) = $2",
}


def stored_runs(url: str, schema: str, flavor: str, prefix: str, window: tuple):
    params = window if flavor == "airlock" else (len(prefix), prefix)
    if url.startswith("sqlite://"):
        connection = sqlite3.connect(f"file:{url[len('sqlite://'):]}?mode=ro", uri=True)
        try:
            return connection.execute(QUERIES[(flavor, "sqlite")], params).fetchall()
        finally:
            connection.close()

    async def fetch():
        import asyncpg

        connection = await asyncpg.connect(url.split("?")[0], server_settings={"search_path": schema})
        try:
            return [tuple(r) for r in await connection.fetch(QUERIES[(flavor, "postgres")], *params)]
        finally:
            await connection.close()

    return asyncio.run(fetch())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--schema", default="public")
    parser.add_argument("--flavor", choices=["airlock", "baseline"], required=True)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--ids", required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--since-ms", type=int, default=0, help="the step's start (Airlock: its runs' time window)")
    parser.add_argument("--until-ms", type=int, default=2**62)
    args = parser.parse_args()

    rows = stored_runs(args.db_url, args.schema, args.flavor, args.tag + "-", (args.since_ms, args.until_ms))
    stored_ids = {row[0] for row in rows}
    orders = Counter(row[1] for row in rows)
    with open(args.ids) as f:
        acked = [line.strip() for line in f if line.strip()]
    acked_counts = Counter(acked)
    acked_set = set(acked)
    result = {
        "acknowledged_200": len(acked),
        "stored": len(rows),
        "acknowledged_missing": len(acked_set - stored_ids),
        "acknowledged_twice": sum(1 for n in acked_counts.values() if n > 1),
        "inputs_stored_twice": sum(1 for n in orders.values() if n > 1),
        "stored_unacknowledged": len(stored_ids - acked_set),
        "concurrency": args.concurrency,
    }
    if rows and len(rows[0]) > 2:
        result["transactions"] = len({row[2] for row in rows})
        result["mean_rows_per_transaction"] = len(rows) / result["transactions"]
    result["ok"] = (
        result["acknowledged_missing"] == 0
        and result["acknowledged_twice"] == 0
        and result["inputs_stored_twice"] == 0
        and "MISSING" not in acked_set
        and result["stored_unacknowledged"] <= args.concurrency
    )
    with open(args.out, "w") as f:
        json.dump(result, f)
        f.write("\n")
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
