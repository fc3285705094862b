#!/usr/bin/env bash
# Builds the browser bundle into target/site/pkg: the hydrating WebAssembly, its JS glue and the CSS.
set -euo pipefail
cd "$(dirname "$0")/.."

site=target/site/pkg
mkdir -p "$site"
target_dir=${CARGO_TARGET_DIR:-target}

cargo build --quiet -p tavoli-app --lib --target wasm32-unknown-unknown \
    --no-default-features --features hydrate --profile wasm-release
wasm-bindgen --target web --no-typescript --out-dir "$site" --out-name tavoli \
    "$target_dir/wasm32-unknown-unknown/wasm-release/tavoli_app.wasm"
if command -v wasm-opt >/dev/null; then
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
        "$site/tavoli_bg.wasm" -o "$site/tavoli_bg.wasm.opt"
    mv "$site/tavoli_bg.wasm.opt" "$site/tavoli_bg.wasm"
fi
# Plain CSS, in a fixed order: tokens first, then layout, then components.
cat style/*.css > "$site/tavoli.css"
