#!/usr/bin/env bash
# HTTP benchmarks of the workflow runtime (issue 3): closed-loop wrk sweeps
# of `airlock serve` against the same service hand-written in Python
# (bench/http/baseline/, FastAPI + uvicorn), and the support-triage demo on
# the local models. Raw results go to bench/http/results/<UTC stamp>/, with
# summary.md / summary.csv made by summarize.py.
#
#   bench/http/run.sh                 # everything: rules + demo (≈ 15 min + quiet waits)
#   bench/http/run.sh rules           # rule-only workflow, both sides, 4 database set-ups
#   bench/http/run.sh demo            # support-triage with the local models
#   bench/http/run.sh rules --impl airlock --backends sqlite --durability fsync
#
# Options (after the series names):
#   --impl airlock,baseline       --backends sqlite,postgres
#   --durability fsync,process    --concurrency 1,16,64
#
# Environment: DURATION (10s per step), WARMUP (3s, once per server),
# DEMO_REQUESTS (100), DEMO_CONCURRENCY (1,4), QUIET_LOAD (1.5: the
# 1-minute load average under which a sweep counts as quiet), QUIET_WAIT
# (240: seconds to wait for it before a sweep), RERUN_BUSY (1: run a sweep
# that started above QUIET_LOAD once more), PG_URL
# (postgres://postgres@127.0.0.1:5432; the database airlock_bench is
# created), KEEP_DB (0: delete each sweep's database once verified),
# OUT (results directory), BASELINE_SQLITE_FLOCK (see baseline/app.py).
#
# Every step is checked against the database (verify.py): every run
# acknowledged with 200 is stored once, and no input is stored twice.
set -euo pipefail
# The API key wrk and the demo client send (Airlock's first admin key; the
# Python baseline ignores it).
export BENCH_API_KEY="${BENCH_API_KEY:-alk_benchkey0001_benchsecretbenchsecretbenchsecretbenchsecret0}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="${OUT:-$here/results/$stamp}"
venv="$here/.venv"
python="$venv/bin/python"
airlock="$repo/target/release/airlock"

DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
DEMO_REQUESTS="${DEMO_REQUESTS:-100}"
DEMO_CONCURRENCY="${DEMO_CONCURRENCY:-1,4}"
QUIET_LOAD="${QUIET_LOAD:-1.5}"
QUIET_WAIT="${QUIET_WAIT:-240}"
RERUN_BUSY="${RERUN_BUSY:-1}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
PG_DB=airlock_bench
KEEP_DB="${KEEP_DB:-0}"

series=()
impls=airlock,baseline
backends=sqlite,postgres
durabilities=fsync,process
concurrencies=1,16,64
while (($#)); do
    case "$1" in
        rules | demo) series+=("$1") ;;
        --impl) impls="$2"; shift ;;
        --backends) backends="$2"; shift ;;
        --durability) durabilities="$2"; shift ;;
        --concurrency) concurrencies="$2"; shift ;;
        -h | --help) sed -n '2,27p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
((${#series[@]})) || series=(rules demo)

say() { printf '[bench/http %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# --- Tools: wrk (Debian package), the baseline's venv, the release binary.
if ! command -v wrk > /dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null; then
        say "installing wrk (apt-get install -y wrk)"
        apt-get install -y wrk > /dev/null || { apt-get update > /dev/null && apt-get install -y wrk > /dev/null; }
    else
        say "wrk is missing: apt-get install wrk"; exit 1
    fi
fi
if [[ ! -x "$python" ]]; then
    say "creating $venv from baseline/requirements.txt"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$here/baseline/requirements.txt"
fi
say "building the release binary (cargo build --release -p airlock-cli)"
(cd "$repo" && cargo build --release -p airlock-cli)

mkdir -p "$out"
{
    echo "--- bench/http/run.sh ${series[*]} (impl $impls; backends $backends; durability $durabilities; c $concurrencies)"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git -C "$repo" rev-parse --short HEAD 2> /dev/null || echo unknown)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
    echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), 1 thread, --timeout 30s, script post.lua"
    echo "python: $("$python" --version 2>&1); uvicorn --workers 2 (uvloop, httptools)"
    echo "postgres: $(psql "$PG_URL/postgres" -Atc 'select version()' 2> /dev/null | cut -d, -f1 || echo unavailable)"
    echo "steps: warm-up $WARMUP once per server, then $DURATION per concurrency"
    echo "uptime at start: $(uptime)"
} >> "$out/context.txt"
tail -n 10 "$out/context.txt" >&2

# Waits (at most QUIET_WAIT s) for the 1-minute load average to fall below
# QUIET_LOAD; prints the load it started with.
wait_quiet() {
    local waited=0
    while awk -v l="$(load1)" -v q="$QUIET_LOAD" 'BEGIN { exit !(l >= q) }' && ((waited < QUIET_WAIT)); do
        sleep 5
        waited=$((waited + 5))
    done
    load1
}
is_busy() { awk -v l="$1" -v q="$QUIET_LOAD" 'BEGIN { exit !(l >= q) }'; }

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Peak RSS in kB of a process and its children (uvicorn: master + workers).
peak_rss_kb() {
    local total=0 pid kb
    for pid in "$1" $(pgrep -P "$1" || true); do
        kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2> /dev/null || echo 0)
        total=$((total + ${kb:-0}))
    done
    echo "$total"
}

# CPU time (clock ticks, user + system) of a process and its children, and
# of every PostgreSQL process (the server is on this machine too).
cpu_ticks() {
    local total=0 pid t
    for pid in "$@"; do
        t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2> /dev/null || echo 0)
        total=$((total + ${t:-0}))
    done
    echo "$total"
}
server_ticks() { cpu_ticks "$1" $(pgrep -P "$1" || true); }
postgres_ticks() { cpu_ticks $(pgrep -x postgres || true); }
tick_hz="$(getconf CLK_TCK)"

# Waits until LOG contains PATTERN COUNT times or PID dies.
wait_for_log() { # PID LOG PATTERN COUNT
    local i
    for i in $(seq 1 1200); do
        if (($(grep -c -- "$3" "$2" 2> /dev/null || true) >= $4)); then return 0; fi
        kill -0 "$1" 2> /dev/null || { say "server exited:"; tail -n 20 "$2" >&2; return 1; }
        sleep 0.1
    done
    say "server did not start in 120 s:"; tail -n 20 "$2" >&2; return 1
}

stop_server() { # PID
    kill -TERM "$1" 2> /dev/null || true
    wait "$1" 2> /dev/null || true
}

if [[ " ${series[*]} " == *" rules "* && ",$backends," == *",postgres,"* ]]; then
    if ! psql "$PG_URL/postgres" -Atc 'select 1' > /dev/null; then
        say "PostgreSQL does not answer at $PG_URL: run with --backends sqlite"; exit 1
    fi
    psql "$PG_URL/postgres" -Atc "select 1 from pg_database where datname = '$PG_DB'" | grep -q 1 ||
        psql "$PG_URL/postgres" -qc "create database $PG_DB"
    psql "$PG_URL/$PG_DB" -Atc 'show fsync; show synchronous_commit; show commit_delay' | paste -sd' ' |
        sed 's/^/postgres fsync, synchronous_commit (server default), commit_delay: /' >> "$out/context.txt"
fi

# --- One sweep: start a server, warm up, run each concurrency, verify.
# run_sweep IMPL BACKEND DURABILITY ATTEMPT
run_sweep() {
    local impl="$1" backend="$2" durability="$3" attempt="$4"
    local name="$impl-$backend-$durability" dir port pid log db_url schema="" load_before
    dir="$out/rules/$name/try$attempt"
    mkdir -p "$dir"
    load_before="$(wait_quiet)"
    say "sweep $name (try $attempt), load $load_before: $(uptime)"
    uptime > "$dir/uptime-before.txt"
    port="$(free_port)"
    log="$dir/server.log"
    case "$backend" in
        sqlite) db_url="sqlite://$dir/db/runs.db"; mkdir -p "$dir/db" ;;
        postgres)
            schema="bench_${impl}_${durability}"
            psql "$PG_URL/$PG_DB" -qc "drop schema if exists $schema cascade; create schema $schema" 2> /dev/null
            db_url="$PG_URL/$PG_DB?options[search_path]=$schema"
            ;;
    esac
    if [[ "$impl" == airlock ]]; then
        printf '[database]\ndurability = "%s"\n' "$durability" > "$dir/airlock.toml"
        AIRLOCK_CONFIG="$dir/airlock.toml" AIRLOCK_DATA_DIR="$dir/data" AIRLOCK_DATABASE_URL="$db_url" \
            AIRLOCK_BOOTSTRAP_KEY="$BENCH_API_KEY" \
            AIRLOCK_WORKFLOWS_DIR="$here/workflows" AIRLOCK_LISTEN="127.0.0.1:$port" \
            "$airlock" serve 2> "$log" > /dev/null &
        pid=$!
        wait_for_log "$pid" "$log" "on http://" 1 || { stop_server "$pid"; return 1; }
    else
        (cd "$here/baseline" && BASELINE_DATABASE_URL="${db_url%%\?*}" BASELINE_SCHEMA="${schema:-public}" \
            BASELINE_DURABILITY="$durability" BASELINE_WORKFLOW_DIR="$here/workflows/refunds" \
            exec "$venv/bin/uvicorn" app:app --host 127.0.0.1 --port "$port" --workers 2 \
            --loop uvloop --http httptools --no-access-log --log-level info) 2> "$log" > /dev/null &
        pid=$!
        wait_for_log "$pid" "$log" "Application startup complete" 2 || { stop_server "$pid"; return 1; }
    fi
    local url="http://127.0.0.1:$port"
    BENCH_TAG="warm$stamp" BENCH_OUT="$dir/warmup.wrk.json" BENCH_IDS="$dir/warmup.ids" \
        wrk -t1 -c16 -d"$WARMUP" --timeout 30s -s "$here/post.lua" "$url" > /dev/null
    local c ok=1 tag
    IFS=, read -r -a cs <<< "$concurrencies"
    for c in "${cs[@]}"; do
        tag="$name-c$c-$stamp-$attempt"
        local server_before pg_before
        server_before="$(server_ticks "$pid")"
        pg_before="$(postgres_ticks)"
        step_start_ms="$(date +%s%3N)"
        BENCH_TAG="$tag" BENCH_OUT="$dir/c$c.wrk.json" BENCH_IDS="$dir/c$c.ids" \
            /usr/bin/time -f '%U %S' -o "$dir/c$c.wrk.time" \
            wrk -t1 -c"$c" -d"$DURATION" --timeout 30s -s "$here/post.lua" "$url" > "$dir/c$c.wrk.txt"
        awk -v s="$(($(server_ticks "$pid") - server_before))" -v p="$(($(postgres_ticks) - pg_before))" -v hz="$tick_hz" \
            '{printf "{\"server_cpu_s\": %.2f, \"postgres_cpu_s\": %.2f, \"wrk_cpu_s\": %.2f}\n", s / hz, p / hz, $1 + $2}' \
            "$dir/c$c.wrk.time" > "$dir/c$c.cpu.json"
        sleep 1 # let the runs wrk stopped waiting for finish
        "$python" "$here/verify.py" --db-url "$db_url" --schema "${schema:-public}" --flavor "$impl" --tag "$tag" \
            --since-ms "$step_start_ms" --until-ms "$(date +%s%3N)" \
            --ids "$dir/c$c.ids" --concurrency "$c" --out "$dir/c$c.verify.json" > /dev/null || ok=0
        say "  c=$c: $(cat "$dir/c$c.wrk.json")"
        say "        $(cat "$dir/c$c.verify.json")"
    done
    echo "{\"peak_rss_kb\": $(peak_rss_kb "$pid"), \"load_before\": $load_before, \"load_after\": $(load1), \"verified\": $([[ $ok == 1 ]] && echo true || echo false)}" > "$dir/sweep.json"
    stop_server "$pid"
    if [[ "$KEEP_DB" != 1 ]]; then
        rm -rf "$dir/db"
        [[ "$backend" == postgres ]] && psql "$PG_URL/$PG_DB" -qc "drop schema if exists $schema cascade" 2> /dev/null
    fi
    ((ok)) || say "  VERIFICATION FAILED for $name (see $dir/*.verify.json)"
    is_busy "$load_before" && return 3
    return 0
}

run_rules() {
    local backend durability impl status
    IFS=, read -r -a bs <<< "$backends"
    IFS=, read -r -a ds <<< "$durabilities"
    IFS=, read -r -a is <<< "$impls"
    for backend in "${bs[@]}"; do
        for durability in "${ds[@]}"; do
            for impl in "${is[@]}"; do
                status=0
                run_sweep "$impl" "$backend" "$durability" 1 || status=$?
                if ((status == 1)); then say "  SWEEP FAILED: $impl $backend $durability (see its server.log)"; fi
                if ((status == 3)) && [[ "$RERUN_BUSY" == 1 ]]; then
                    say "  load was above $QUIET_LOAD at the start: running the sweep again"
                    status=0
                    run_sweep "$impl" "$backend" "$durability" 2 || status=$?
                    if ((status == 1)); then say "  SWEEP FAILED: $impl $backend $durability (see its server.log)"; fi
                fi
            done
        done
    done
}

# --- The demo: support-triage on the local models, SQLite fsync.
run_demo() {
    local dir="$out/demo" port pid log load_before c
    mkdir -p "$dir/data/classifiers"
    local models="${AIRLOCK_MODELS_DIR:-$repo/airlock-data/models}"
    # The classifier `airlock serve` would otherwise train on first start (1-2 min).
    for classifier in banking77 injection; do
        if [[ -f "$repo/airlock-data/classifiers/$classifier.json" ]]; then
            cp "$repo/airlock-data/classifiers/$classifier.json" "$dir/data/classifiers/"
        fi
    done
    port="$(free_port)"
    log="$dir/server.log"
    AIRLOCK_DATA_DIR="$dir/data" AIRLOCK_MODELS_DIR="$models" AIRLOCK_DATABASE_URL="sqlite://$dir/data/airlock.db" \
        AIRLOCK_WORKFLOWS_DIR="$repo/examples" AIRLOCK_LISTEN="127.0.0.1:$port" AIRLOCK_CONFIG= \
        AIRLOCK_BOOTSTRAP_KEY="$BENCH_API_KEY" "$airlock" serve 2> "$log" > /dev/null &
    pid=$!
    wait_for_log "$pid" "$log" "on http://" 1 || { stop_server "$pid"; return 1; }
    IFS=, read -r -a cs <<< "$DEMO_CONCURRENCY"
    for c in "${cs[@]}"; do
        load_before="$(wait_quiet)"
        say "demo c=$c, load $load_before: $(uptime)"
        uptime > "$dir/c$c.uptime-before.txt"
        "$python" "$here/demo_client.py" --url "http://127.0.0.1:$port" \
            --csv "$repo/examples/support-triage/data/banking77-test.csv" \
            --requests "$DEMO_REQUESTS" --concurrency "$c" --warmup 2 --out "$dir/c$c" > /dev/null
        echo "{\"load_before\": $load_before, \"load_after\": $(load1)}" > "$dir/c$c.load.json"
        say "  $(head -c 400 "$dir/c$c.json" | tr -d '\n')"
    done
    echo "{\"peak_rss_kb\": $(peak_rss_kb "$pid")}" > "$dir/server.json"
    stop_server "$pid"
    [[ "$KEEP_DB" == 1 ]] || rm -f "$dir/data/airlock.db"*
}

for s in "${series[@]}"; do
    "run_$s"
done
"$python" "$here/summarize.py" "$out"
say "results: $out/summary.md"
