#!/usr/bin/env bash
# README command 2: set up and run every check and test. .ci/run calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
# A clean clone in CI builds everything once: incremental caches would only cost disk and time.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi

echo "==> cargo fmt --check"
cargo fmt --all --check
echo "==> cargo clippy"
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo clippy --quiet -p tavoli-app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
cargo clippy --quiet -p tavoli-app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate,staff -- -D warnings

echo "==> Building the browser bundle and the server"
scripts/build-site.sh
cargo build --quiet -p tavoli-server --bin tavoli -p tavoli-load --bin tavoli-load

echo "==> PostgreSQL for the tests"
TAVOLI_TEST_PG_URL=$(scripts/postgres.sh | tail -n 1)
export TAVOLI_TEST_PG_URL

echo "==> Rust tests (core, server, end to end on SQLite; fuzzing 60 s per target)"
# The time-bounded fuzz targets (app/core/tests/fuzz.rs) run a minute each here; a longer run:
# TAVOLI_FUZZ_SECONDS=3600 cargo test -p tavoli-core --test fuzz
TAVOLI_FUZZ_SECONDS=${TAVOLI_FUZZ_SECONDS:-60} cargo test --workspace --quiet

echo "==> End-to-end tests again, on PostgreSQL"
# The same suite with a fresh PostgreSQL database per test; left out: the command-line tests and
# the SQLite file check (nothing backend-specific), and the two-instance test (PostgreSQL already).
TAVOLI_TEST_BACKEND=postgres cargo test --quiet -p tavoli-tests --test e2e -- \
    --skip cli:: --skip the_database_file_is_created --skip instances::

echo "==> schemathesis against the OpenAPI document (no 5xx)"
scripts/schemathesis.sh

echo "==> Load smoke run (relay and server; fails on any loss, duplicate or refusal)"
target/debug/tavoli-load smoke

echo "==> Browser tests (headless Chromium)"
(cd tests/browser && node --test --test-concurrency=1 ./*.test.mjs)
