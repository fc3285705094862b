#!/usr/bin/env bash
# README command 2: set up and run every check and test. .ci/run calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

echo "==> cargo fmt --check"
cargo fmt --all --check
echo "==> cargo clippy"
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo clippy --quiet -p tavoli-app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

echo "==> Building the browser bundle and the server"
scripts/build-site.sh
cargo build --quiet -p tavoli-server --bin tavoli -p tavoli-load

echo "==> Rust tests (core, server, end to end)"
cargo test --workspace --quiet

echo "==> Load smoke run (relay and server; fails on any loss, duplicate or refusal)"
target/debug/tavoli-load smoke

echo "==> Browser tests (headless Chromium)"
(cd tests/browser && node --test --test-concurrency=1 ./*.test.mjs)
