#!/usr/bin/env bash
# Runs Airlock's inference benchmarks and the Python reference ones on this
# machine, one after the other in the same run, and writes
# bench/out/results.md (table with Airlock / reference ratios) plus the raw
# JSON lines, logs and GNU time -v output in bench/out/raw/.
#
#   scripts/bench-env.sh      # once: the Python side's venv
#   bench/run.sh              # full run (several minutes; run on a quiet machine)
#   bench/run.sh --smoke      # tiny sizes, only checks that everything runs
#
# Every benchmark process measures one configuration (one implementation
# and one batch size or thread count), so its peak RSS is its own. The
# Airlock examples are built first and run as binaries, not through
# `cargo run`, so cargo's memory and build time are not measured.
#
# Settings (environment): EMBED_BATCHES (1,16,64), EMBED_COUNT (1024),
# EMBED_THREADS (2), GEN_THREADS (1,2), GEN_TOKENS (128), REPEATS (3),
# BUSY (1: also run generation with a CPU burner), AIRLOCK_MODELS_DIR,
# AIRLOCK_BANKING77_DIR (../shared/data/banking77 beside the checkout).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/bench/out"
raw="$out/raw"
vpython="$repo/bench/.venv/bin/python"
export AIRLOCK_MODELS_DIR="${AIRLOCK_MODELS_DIR:-$repo/airlock-data/models}"
export AIRLOCK_BANKING77_DIR="${AIRLOCK_BANKING77_DIR:-$repo/../shared/data/banking77}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

EMBED_BATCHES="${EMBED_BATCHES:-1,16,64}"
EMBED_COUNT="${EMBED_COUNT:-1024}"
EMBED_THREADS="${EMBED_THREADS:-2}"
GEN_THREADS="${GEN_THREADS:-1,2}"
GEN_TOKENS="${GEN_TOKENS:-128}"
REPEATS="${REPEATS:-3}"
BUSY="${BUSY:-1}"
if [[ "${1:-}" == "--smoke" ]]; then
    EMBED_BATCHES=1,16 EMBED_COUNT=32 GEN_TOKENS=16 REPEATS=1
fi

say() { printf '[bench] %s\n' "$*" >&2; }

[[ -x "$vpython" ]] || { say "no venv at bench/.venv: run scripts/bench-env.sh first"; exit 1; }
[[ -x /usr/bin/time ]] || { say "/usr/bin/time missing: apt-get install time (or run scripts/bench-env.sh)"; exit 1; }

rm -rf "$raw"
mkdir -p "$raw"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "embeddings: batches $EMBED_BATCHES, $EMBED_COUNT texts, $EMBED_THREADS threads, $REPEATS timed passes (median)"
    echo "generation: threads $GEN_THREADS, $GEN_TOKENS new tokens (EOS ignored), $REPEATS runs (median)"
} > "$raw/context.txt"

# measure NAME COMMAND...: stdout (JSON lines) to NAME.jsonl, stderr to
# NAME.log, GNU time -v to NAME.time. A failing side is reported, not fatal.
measure() {
    local name="$1"
    shift
    say "$name: $*"
    if ! /usr/bin/time -v -o "$raw/$name.time" "$@" > "$raw/$name.jsonl" 2> "$raw/$name.log"; then
        say "  FAILED (see $raw/$name.log)"
        tail -n 3 "$raw/$name.log" >&2 || true
    fi
}

# --- Airlock's examples (crates/airlock-inference/examples/), built first.
examples_dir="$repo/target/release/examples"
have_airlock=1
say "building Airlock's benchmark examples (release)"
if ! (cd "$repo" && cargo build --release -p airlock-inference --example embed_bench --example generate_bench); then
    say "Airlock examples did not build: only the Python side runs"
    have_airlock=0
fi

# The flags these examples take (see their usage comments); adjust here if
# their command lines change. embed_bench times one pass per batch size.
airlock_embed_cmd() { # BATCH
    airlock_cmd=("$examples_dir/embed_bench" "$AIRLOCK_BANKING77_DIR/test.csv"
        --model "$AIRLOCK_MODELS_DIR/all-minilm-l6-v2" --limit "$EMBED_COUNT"
        --batches "$1" --threads "$EMBED_THREADS" --workers 1 --max-batch 64)
}
airlock_generate_cmd() { # THREADS
    airlock_cmd=("$examples_dir/generate_bench"
        --gguf "$AIRLOCK_MODELS_DIR/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"
        --threads "$1" --tokens "$GEN_TOKENS" --repeats "$REPEATS")
}

# --- Embeddings
IFS=, read -r -a batches <<< "$EMBED_BATCHES"
for batch in "${batches[@]}"; do
    if ((have_airlock)); then
        airlock_embed_cmd "$batch"
        measure "embed__airlock__b$batch" "${airlock_cmd[@]}"
    fi
    for impl in sentence-transformers onnxruntime; do
        measure "embed__${impl}__b$batch" "$vpython" "$repo/bench/embed_bench.py" --impl "$impl" \
            --batches "$batch" --count "$EMBED_COUNT" --threads "$EMBED_THREADS" --repeats "$REPEATS"
    done
done

# --- Generation, quiet and (BUSY=1) with a CPU burner on the other core
IFS=, read -r -a thread_counts <<< "$GEN_THREADS"
generate_all() { # SCENARIO
    for threads in "${thread_counts[@]}"; do
        if ((have_airlock)); then
            airlock_generate_cmd "$threads"
            measure "generate__$1__airlock__t$threads" "${airlock_cmd[@]}"
        fi
        measure "generate__$1__llama-cpp-python__t$threads" "$vpython" "$repo/bench/generate_bench.py" \
            --threads "$threads" --tokens "$GEN_TOKENS" --repeats "$REPEATS"
    done
}
generate_all quiet

if [[ "$BUSY" == 1 ]]; then
    say "starting a CPU burner (bounded to 30 minutes) for the busy-core scenario"
    timeout 1800 nice -n 0 sh -c 'while :; do :; done' &
    burner=$!
    trap 'kill "$burner" 2>/dev/null || true' EXIT
    generate_all busy
    kill "$burner" 2>/dev/null || true
    wait "$burner" 2>/dev/null || true
    trap - EXIT
fi

python3 "$repo/bench/summarize.py" "$raw" "$out/results.md"
