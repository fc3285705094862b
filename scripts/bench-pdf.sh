#!/usr/bin/env bash
# Benchmark of the DocPP export: 4 roundtables, 1,000 cards, 20 intervention sheets, rendered
# by Tavoli (median of 7 warm runs, and the first run) and printed from the same content as HTML
# by headless Chromium (cold: a new browser and profile each time, median of 3).
# Prints one JSON line; docs/BENCHMARKS.md records the figures. Needs chromium and poppler-utils
# (scripts/setup.sh --test installs them).
#   scripts/bench-pdf.sh [OUT_DIR]     (default target/bench-pdf)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/bench-pdf}"
cargo run --quiet -p tavoli-server --example bench_pdf -- "$out" "${CHROMIUM:-/usr/bin/chromium}"
