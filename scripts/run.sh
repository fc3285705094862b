#!/usr/bin/env bash
# README command 1: set up, build and run Tavoli on SQLite at http://127.0.0.1:3000 with the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "==> Building the browser bundle and the server (the first build takes a while)"
scripts/build-site.sh
cargo build --quiet -p tavoli-server --bin tavoli
exec target/debug/tavoli serve --demo "$@"
