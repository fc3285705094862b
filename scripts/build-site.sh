#!/usr/bin/env bash
# Builds the browser bundles into target/site/pkg: the hydrating WebAssembly (full, and the
# participants' own), their JS glue, the fonts and the CSS.
set -euo pipefail
cd "$(dirname "$0")/.."

site=target/site/pkg
mkdir -p "$site"
target_dir=${CARGO_TARGET_DIR:-target}

# Two bundles of the same crate: the full one (every page) and the participants' one, without
# the staff's pages (the `staff` feature), which the server serves on the pages participants
# see (`bundle_for_request` in app/src/lib.rs).
build_bundle() {
    local name=$1 features=$2
    cargo build --quiet -p tavoli-app --lib --target wasm32-unknown-unknown \
        --no-default-features --features "$features" --profile wasm-release
    local input="$target_dir/wasm32-unknown-unknown/wasm-release/tavoli_app.wasm"
    local stamp="$site/.$name.source-sha256"
    local hash
    hash=$(sha256sum "$input" | cut -d' ' -f1)
    # Binding, optimising and compressing take a minute or two; skip them when the compiled
    # WebAssembly is the one the bundle was made from.
    if [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ] && [ -f "$site/${name}_bg.wasm.br" ]; then
        return
    fi
    wasm-bindgen --target web --no-typescript --out-dir "$site" --out-name "$name" "$input"
    # binaryen's wasm-opt from the npm registry (scripts/tools): Debian's is too old for the
    # reference types that rustc now emits, and breaks the bundle.
    local wasm_opt=scripts/tools/node_modules/.bin/wasm-opt
    if [ -x "$wasm_opt" ]; then
        "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
            --enable-mutable-globals --enable-reference-types --enable-multivalue \
            "$site/${name}_bg.wasm" -o "$site/${name}_bg.wasm.opt"
        mv "$site/${name}_bg.wasm.opt" "$site/${name}_bg.wasm"
    fi
    for file in "$site/${name}_bg.wasm" "$site/$name.js"; do
        brotli -f -q 11 -o "$file.br" "$file"
        gzip -f -9 -k "$file"
    done
    echo "$hash" > "$stamp"
}
build_bundle tavoli hydrate,staff
build_bundle tavoli_participant hydrate
# Titillium Web, latin and latin-ext, in the three weights the CSS uses (style/01-fonts.css).
mkdir -p "$site/fonts"
for weight in 400 600 700; do
    for subset in latin latin-ext; do
        cp scripts/tools/node_modules/@fontsource/titillium-web/files/titillium-web-$subset-$weight-normal.woff2 "$site/fonts/"
    done
done
# Plain CSS, in a fixed order: tokens first, then layout, then components.
cat style/*.css > "$site/tavoli.css"
# Pre-compressed copies, served as they are (compressing 500 KB of WASM per request would cost
# more CPU than the request).
for file in "$site/tavoli.css"; do
    brotli -f -q 11 -o "$file.br" "$file"
    gzip -f -9 -k "$file"
done
