"""The baseline for bench/http: the `refunds` workflow hand-written as the
service a team would build instead of Airlock, FastAPI + uvicorn.

POST /v1/workflows/refunds/runs does what Airlock's run does for that
workflow: validate the body against input.schema.json (jsonschema), apply
the rule `amount <= 100`, render the note template, check the output
against output.schema.json, choose the decision (`review` for a large
refund, `auto` otherwise), then INSERT the full run record as JSON and
commit it (one transaction per request) before answering 200 with the run.

Settings (environment):
  BASELINE_DATABASE_URL  sqlite:///ABS/PATH.db or postgres://USER@HOST:PORT/DB
  BASELINE_SCHEMA        PostgreSQL schema (search_path), created if missing
  BASELINE_DURABILITY    fsync (default) or process, the same levels as Airlock:
                         SQLite WAL + synchronous=FULL / NORMAL,
                         PostgreSQL synchronous_commit=on / off
  BASELINE_WORKFLOW_DIR  directory with input.schema.json and output.schema.json
  BASELINE_SQLITE_FLOCK  1 (default): SQLite writers of both processes queue on a flock

Run with `uvicorn app:app --workers 2` (one per core); each worker process
has its own database connection(s). SQLite writes go through one writer
thread per process (the event loop keeps parsing and validating meanwhile);
the two processes take turns through an exclusive flock on a side file,
which wakes a waiter as soon as the other process commits. (SQLite's own
busy_timeout handler polls with sleeps of 1 to 100 ms: with it alone, fsync
level, p99 was 678 ms at c=16 and 836 ms at c=64, against 18 ms and 58 ms
with the flock; set BASELINE_SQLITE_FLOCK=0 to see it.) PostgreSQL uses an
asyncpg pool per process, autocommit.

Not implemented, because the benchmark never exercises them: Idempotency-Key
replays, quarantine, and the read endpoints. The unique index that
idempotency needs is there, so every insert maintains the same indexes as
Airlock's `runs` table.
"""

import asyncio
import datetime
import fcntl
import os
import secrets
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response
from jsonschema import Draft202012Validator

WORKFLOW = "refunds"
WORKFLOW_DIR = Path(os.environ.get("BASELINE_WORKFLOW_DIR", Path(__file__).parent.parent / "workflows" / "refunds"))
DATABASE_URL = os.environ["BASELINE_DATABASE_URL"]
DURABILITY = os.environ.get("BASELINE_DURABILITY", "fsync")
SCHEMA = os.environ.get("BASELINE_SCHEMA", "public")
SQLITE_FLOCK = os.environ.get("BASELINE_SQLITE_FLOCK", "1") == "1"
if DURABILITY not in ("fsync", "process"):
    raise SystemExit(f"BASELINE_DURABILITY must be fsync or process, not {DURABILITY!r}")

INPUT_VALIDATOR = Draft202012Validator(orjson.loads((WORKFLOW_DIR / "input.schema.json").read_bytes()))
OUTPUT_VALIDATOR = Draft202012Validator(orjson.loads((WORKFLOW_DIR / "output.schema.json").read_bytes()))
VERSION = secrets.token_hex(6)

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(now_ms: int) -> str:
    """48 bits of milliseconds then 80 random bits, Crockford base32 (as Airlock's ids)."""
    value = (now_ms << 80) | secrets.randbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def iso(ms: int) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


SQLITE_DDL = [
    """CREATE TABLE IF NOT EXISTS runs (
        id TEXT PRIMARY KEY, workflow TEXT NOT NULL, decision TEXT NOT NULL, status TEXT NOT NULL,
        idempotency_key TEXT, created_at_ms INTEGER NOT NULL, record TEXT NOT NULL) STRICT""",
    "CREATE UNIQUE INDEX IF NOT EXISTS runs_idempotency ON runs (workflow, idempotency_key)",
    "CREATE INDEX IF NOT EXISTS runs_workflow ON runs (workflow, id)",
    "CREATE INDEX IF NOT EXISTS runs_decision ON runs (decision, id)",
    "CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at_ms)",
]
POSTGRES_DDL = [
    """CREATE TABLE IF NOT EXISTS runs (
        id TEXT COLLATE "C" PRIMARY KEY, workflow TEXT NOT NULL, decision TEXT NOT NULL, status TEXT NOT NULL,
        idempotency_key TEXT, created_at TIMESTAMPTZ NOT NULL, record JSON NOT NULL)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS runs_idempotency ON runs (workflow, idempotency_key)",
    "CREATE INDEX IF NOT EXISTS runs_workflow ON runs (workflow, id)",
    "CREATE INDEX IF NOT EXISTS runs_decision ON runs (decision, id)",
    "CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at)",
]


class SqliteRuns:
    """One connection per process, used only by one writer thread."""

    def __init__(self, path: str):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self.path = path
        self.connection = None
        self.lock_file = None

    def _open(self):
        self.lock_file = open(self.path + ".writelock", "w")
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout = 30000")
        # Both workers start at once, and switching a new file to WAL does not
        # wait on busy_timeout ("database is locked"): set up one at a time.
        fcntl.flock(self.lock_file, fcntl.LOCK_EX)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            for statement in SQLITE_DDL:
                connection.execute(statement)
        finally:
            fcntl.flock(self.lock_file, fcntl.LOCK_UN)
        connection.execute("PRAGMA synchronous = " + ("FULL" if DURABILITY == "fsync" else "NORMAL"))
        self.connection = connection

    def _insert(self, row):
        connection = self.connection
        if SQLITE_FLOCK:
            fcntl.flock(self.lock_file, fcntl.LOCK_EX)
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.execute(
                    "INSERT INTO runs (id, workflow, decision, status, idempotency_key, created_at_ms, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        finally:
            if SQLITE_FLOCK:
                fcntl.flock(self.lock_file, fcntl.LOCK_UN)

    async def open(self):
        await asyncio.get_running_loop().run_in_executor(self.executor, self._open)

    async def insert(self, run_id, decision, status, created_ms, record_json):
        row = (run_id, WORKFLOW, decision, status, None, created_ms, record_json.decode())
        await asyncio.get_running_loop().run_in_executor(self.executor, self._insert, row)

    async def close(self):
        if self.connection is not None:
            await asyncio.get_running_loop().run_in_executor(self.executor, self.connection.close)
        self.executor.shutdown()


class PostgresRuns:
    """An asyncpg pool per process; each INSERT is its own (autocommit) transaction."""

    def __init__(self, url: str):
        self.url = url
        self.pool = None

    async def open(self):
        import asyncpg

        setup = await asyncpg.connect(self.url)
        try:
            await setup.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
            await setup.execute(f'SET search_path = "{SCHEMA}"')
            # Two workers start at once: serialise the CREATEs.
            async with setup.transaction():
                await setup.execute("SELECT pg_advisory_xact_lock(7301)")
                for statement in POSTGRES_DDL:
                    await setup.execute(statement)
        finally:
            await setup.close()
        self.pool = await asyncpg.create_pool(
            self.url,
            min_size=8,
            max_size=40,
            server_settings={
                "search_path": SCHEMA,
                "synchronous_commit": "on" if DURABILITY == "fsync" else "off",
            },
        )

    async def insert(self, run_id, decision, status, created_ms, record_json):
        created = datetime.datetime.fromtimestamp(created_ms / 1000, datetime.timezone.utc)
        await self.pool.execute(
            "INSERT INTO runs (id, workflow, decision, status, idempotency_key, created_at, record) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            run_id, WORKFLOW, decision, status, None, created, record_json.decode(),
        )

    async def close(self):
        await self.pool.close()


if DATABASE_URL.startswith("sqlite://"):
    RUNS = SqliteRuns(DATABASE_URL[len("sqlite://"):])
elif DATABASE_URL.startswith("postgres://"):
    RUNS = PostgresRuns(DATABASE_URL)
else:
    raise SystemExit("BASELINE_DATABASE_URL must be sqlite:///PATH or postgres://...")


@asynccontextmanager
async def lifespan(_app):
    await RUNS.open()
    yield
    await RUNS.close()


app = FastAPI(lifespan=lifespan)


def error(status: int, code: str, message: str, field=None, **extra) -> Response:
    body = {"error": {"code": code, "message": message, "field": field, **extra}}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def step(name, kind, started, output, skipped=False):
    return {"name": name, "kind": kind, "skipped": skipped, "output": output,
            "latency_ms": (time.perf_counter() - started) * 1000.0, "error": None, "model": None}


@app.post("/v1/workflows/{name}/runs")
async def create_run(name: str, request: Request) -> Response:
    if name != WORKFLOW:
        return error(404, "not_found", f"no workflow named `{name}`", "workflow")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return error(415, "unsupported_media_type", "the body must be application/json")
    run_started = time.perf_counter()
    try:
        data = orjson.loads(await request.body())
    except orjson.JSONDecodeError as e:
        return error(400, "invalid_input", f"malformed JSON: {e}")
    created_ms = time.time_ns() // 1_000_000
    run_id = new_ulid(created_ms)

    started = time.perf_counter()
    problems = sorted(INPUT_VALIDATOR.iter_errors(data), key=lambda e: list(e.absolute_path))
    valid = not problems
    steps = [step("validate", "validate", started, {"valid": valid, "errors": [p.message for p in problems]})]
    output = None
    if valid:
        started = time.perf_counter()
        small = data["amount"] <= 100
        steps.append(step("small", "rule", started, {"value": small}))
        started = time.perf_counter()
        note = f"Refund of {data['amount']} for order {data['order']}"
        steps.append(step("note", "fallback", started, {"text": note}))
        output = {"approved": small, "note": note}
        if not OUTPUT_VALIDATOR.is_valid(output):
            return error(500, "internal", "the output does not satisfy the output contract")
        decision, rule = ("auto", "default") if small else ("review", "large-refund")
    else:
        steps.append({"name": "small", "kind": "rule", "skipped": True, "output": None, "latency_ms": 0.0, "error": None, "model": None})
        steps.append({"name": "note", "kind": "fallback", "skipped": True, "output": None, "latency_ms": 0.0, "error": None, "model": None})
        decision, rule = "block", "invalid"
    record = {
        "run_id": run_id, "workflow": WORKFLOW, "workflow_version": VERSION, "status": "completed",
        "decision": decision, "rule": rule, "output": output if decision != "block" else None,
        "confidence": None, "models": [], "error": None,
        "latency_ms": (time.perf_counter() - run_started) * 1000.0, "created_at": iso(created_ms),
        "input": data, "idempotency_key": None, "steps": steps,
    }
    await RUNS.insert(run_id, decision, "completed", created_ms, orjson.dumps(record))
    if not valid:
        first = problems[0]
        return error(400, "invalid_input", f"the input does not satisfy the input contract of workflow `{WORKFLOW}`: {first.message}",
                     "/" + "/".join(str(p) for p in first.absolute_path), run_id=run_id, decision="block")
    del record["input"], record["idempotency_key"]
    record["replayed"] = False
    return Response(orjson.dumps(record), media_type="application/json", headers={"Location": f"/v1/runs/{run_id}"})
