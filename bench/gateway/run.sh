#!/usr/bin/env bash
# Gateway benchmark: the mock provider alone, Airlock (process / fsync
# durability) and the LiteLLM proxy in front of it, each driven by the
# open-loop airlock-loadgen at stepped rates. See bench/gateway/README.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bench/gateway/run.sh [--help]

Builds the release binaries (airlock-mock-provider, airlock-loadgen,
airlock), makes bench/gateway/.venv with LiteLLM, then for each system steps
the request rate until the success rate falls under 99% or p99 passes 1 s.
Results: bench/gateway/out/<UTC stamp>/results.jsonl and summary.md.

Environment (all optional):
  SYSTEMS      systems to run, in order
               (default: "direct nginx airlock-process airlock-fsync litellm";
               nginx is skipped when /usr/sbin/nginx or nginx is not installed;
               airlock-NAME runs Airlock with bench/gateway/airlock-NAME.toml,
               e.g. airlock-fsync-unbounded: fsync without admission control)
  RATES        request rates to step through
               (default: "100 250 500 1000 2000 3000 4000 6000 8000 10000 12000 16000 20000")
  DURATION     measured time per step (default 10s)
  WARMUP       uncounted warm-up per step (default 2s)
  TIMEOUT      per-request timeout (default 5s)
  MIN_SUCCESS  stop a system below this success rate (default 0.99)
  MAX_P99_US   stop a system above this p99 in microseconds (default 1000000)
  AIRLOCK_PATH Airlock's chat completions path (default /v1/chat/completions)
  SKIP_BUILD=1 use the binaries already in target/release
USAGE
}

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  usage
  exit 0
fi
if [[ $# -gt 0 ]]; then
  usage >&2
  exit 2
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

SYSTEMS="${SYSTEMS:-direct nginx airlock-process airlock-fsync litellm}"
RATES="${RATES:-100 250 500 1000 2000 3000 4000 6000 8000 10000 12000 16000 20000}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
TIMEOUT="${TIMEOUT:-5s}"
MIN_SUCCESS="${MIN_SUCCESS:-0.99}"
MAX_P99_US="${MAX_P99_US:-1000000}"
AIRLOCK_PATH="${AIRLOCK_PATH:-/v1/chat/completions}"

MOCK_KEY="sk-mock"
LITELLM_KEY="sk-litellm-bench"
MOCK_ADDR="127.0.0.1:9100"
AIRLOCK_ADDR="127.0.0.1:9200"
LITELLM_PORT=9300
NGINX_PORT=9400

BIN="$ROOT/target/release"
VENV="$HERE/.venv"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$HERE/out/$STAMP"
RESULTS="$OUT/results.jsonl"
mkdir -p "$OUT"
: > "$RESULTS"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Many connections in flight when a server saturates.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- processes we start, stopped on exit -----------------------------------
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

stop() {
  local pid="$1" kept=() p
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${PIDS[@]}"; do
    [[ "$p" == "$pid" ]] || kept+=("$p")
  done
  PIDS=("${kept[@]+"${kept[@]}"}")
}

# wait_for_line FILE PATTERN SECONDS PID
wait_for_line() {
  local file="$1" pattern="$2" seconds="$3" pid="$4" i
  for ((i = 0; i < seconds * 10; i++)); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { log "process $pid exited; see $file"; return 1; }
    sleep 0.1
  done
  log "timed out waiting for '$pattern' in $file"
  return 1
}

# wait_for_http URL SECONDS PID: any HTTP answer counts.
wait_for_http() {
  local url="$1" seconds="$2" pid="$3" i
  for ((i = 0; i < seconds * 2; i++)); do
    curl -s -o /dev/null -m 2 "$url" && return 0
    kill -0 "$pid" 2>/dev/null || { log "process $pid exited"; return 1; }
    sleep 0.5
  done
  log "timed out waiting for $url"
  return 1
}

# peak_rss_kb PID: VmHWM of a running process, in kB (0 if unknown).
peak_rss_kb() {
  awk '/^VmHWM:/ { print $2; found = 1 } END { if (!found) print 0 }' \
    "/proc/$1/status" 2>/dev/null || echo 0
}

# --- build and install -----------------------------------------------------
if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  log "building release binaries"
  cargo build --release -p airlock-mock-provider -p airlock-cli
fi
if [[ " $SYSTEMS " == *" litellm "* && ! -x "$VENV/bin/litellm" ]]; then
  log "installing LiteLLM into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -r "$HERE/requirements.txt"
fi

# --- one system -------------------------------------------------------------
MOCK_PID=""
SERVER_PID=""
URL=""
AUTH=""

start_mock() {
  local system="$1" logfile="$OUT/mock-$1.log"
  "$BIN/airlock-mock-provider" --listen "$MOCK_ADDR" --api-key "$MOCK_KEY" \
    --workers 1 > "$logfile" 2>&1 &
  MOCK_PID=$!
  PIDS+=("$MOCK_PID")
  wait_for_line "$logfile" "mock provider listening on" 10 "$MOCK_PID" || return 1
  log "$system: mock provider up (pid $MOCK_PID)"
}

start_airlock() {
  local system="$1" mode="${1#airlock-}" config="bench/gateway/airlock-${1#airlock-}.toml"
  local logfile="$OUT/$system.log" key
  rm -rf bench/gateway/out/airlock-data
  export MOCK_API_KEY="$MOCK_KEY"
  key="$("$BIN/airlock" --config "$config" keys create --name bench --role app 2>>"$logfile" | tail -n 1)"
  [[ -n "$key" ]] || { log "$system: no key printed; see $logfile"; return 1; }
  "$BIN/airlock" serve --config "$config" >> "$logfile" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_for_http "http://$AIRLOCK_ADDR/healthz" 60 "$SERVER_PID" || return 1
  URL="http://$AIRLOCK_ADDR$AIRLOCK_PATH"
  AUTH="Authorization: Bearer $key"
  log "$system: airlock ($mode) up (pid $SERVER_PID)"
}

start_litellm() {
  local logfile="$OUT/litellm.log"
  LITELLM_LOG=ERROR LITELLM_TELEMETRY=False \
    "$VENV/bin/litellm" --config "$HERE/litellm.yaml" --host 127.0.0.1 \
    --port "$LITELLM_PORT" --num_workers 1 --telemetry False \
    --log_config "$HERE/litellm-log.json" > "$logfile" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_for_http "http://127.0.0.1:$LITELLM_PORT/health/liveliness" 240 "$SERVER_PID" || return 1
  URL="http://127.0.0.1:$LITELLM_PORT/v1/chat/completions"
  AUTH="Authorization: Bearer $LITELLM_KEY"
  log "litellm: proxy up (pid $SERVER_PID)"
}

start_nginx() {
  local nginx
  nginx="$(command -v nginx || echo /usr/sbin/nginx)"
  [[ -x "$nginx" ]] || { log "nginx: not installed (apt-get install nginx); skipped"; return 1; }
  mkdir -p "$OUT/nginx-tmp"
  sed "s|@OUT@|$OUT|g" "$HERE/nginx.conf.in" > "$OUT/nginx.conf"
  "$nginx" -c "$OUT/nginx.conf" > "$OUT/nginx.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_for_http "http://127.0.0.1:$NGINX_PORT/" 20 "$SERVER_PID" || return 1
  URL="http://127.0.0.1:$NGINX_PORT/v1/chat/completions"
  AUTH="Authorization: Bearer $MOCK_KEY"
  log "nginx: proxy up (pid $SERVER_PID)"
}

# verdict LINE: prints "go" or "stop" for a loadgen JSON summary.
verdict() {
  python3 -c '
import json, sys
s = json.loads(sys.argv[1])
ok = s["success_rate"] >= float(sys.argv[2]) and s["latency_us"]["p99"] <= int(sys.argv[3])
print("go" if ok else "stop")
' "$1" "$MIN_SUCCESS" "$MAX_P99_US"
}

run_system() {
  local system="$1" rate line rss_server rss_mock
  SERVER_PID=""
  start_mock "$system" || return 1
  case "$system" in
    direct)
      URL="http://$MOCK_ADDR/v1/chat/completions"
      AUTH="Authorization: Bearer $MOCK_KEY"
      ;;
    airlock-*) start_airlock "$system" || return 1 ;;
    litellm) start_litellm || return 1 ;;
    nginx) start_nginx || { stop "$MOCK_PID"; return 1; } ;;
    *) log "unknown system $system"; return 1 ;;
  esac

  # One request first: a system that cannot answer at all is not stepped.
  local status
  status="$(curl -s -o "$OUT/$system-probe.json" -w '%{http_code}' -m 30 \
    -H 'content-type: application/json' -H "$AUTH" \
    -d '{"model":"mock-chat","messages":[{"role":"user","content":"hello there"}],"max_tokens":16}' \
    "$URL" || true)"
  if [[ "$status" != 2* ]]; then
    log "$system: probe answered '$status' (see $OUT/$system-probe.json); skipped"
    printf '{"system":"%s","kind":"skipped","probe_status":"%s"}\n' "$system" "$status" >> "$RESULTS"
  else
    for rate in $RATES; do
      log "$system: $rate req/s for $DURATION (warm-up $WARMUP)"
      line="$("$BIN/airlock-loadgen" --url "$URL" --rate "$rate" --duration "$DURATION" \
        --warmup "$WARMUP" --timeout "$TIMEOUT" --header "$AUTH" --json)"
      printf '{"system":"%s","kind":"step","rate":%s,"loadgen":%s}\n' \
        "$system" "$rate" "$line" >> "$RESULTS"
      python3 -c '
import json, sys
s = json.loads(sys.argv[1]); l = s["latency_us"]
print("  success %.2f%%  achieved %.0f/s  p50 %dus  p99 %dus" % (s["success_rate"] * 100, s["achieved_rate"], l["p50"], l["p99"]))
' "$line" >&2
      if [[ "$(verdict "$line")" == "stop" ]]; then
        log "$system: stopping at $rate req/s"
        break
      fi
      sleep 1
    done
  fi

  rss_mock="$(peak_rss_kb "$MOCK_PID")"
  rss_server="$rss_mock"
  [[ -n "$SERVER_PID" ]] && rss_server="$(peak_rss_kb "$SERVER_PID")"
  printf '{"system":"%s","kind":"rss","server_vmhwm_kb":%s,"mock_vmhwm_kb":%s}\n' \
    "$system" "$rss_server" "$rss_mock" >> "$RESULTS"
  [[ -n "$SERVER_PID" ]] && stop "$SERVER_PID"
  stop "$MOCK_PID"
}

log "results in $OUT"
for system in $SYSTEMS; do
  run_system "$system" || log "$system: failed; continuing"
done

python3 "$HERE/summarize.py" "$RESULTS" > "$OUT/summary.md"
log "summary: $OUT/summary.md"
cat "$OUT/summary.md"
