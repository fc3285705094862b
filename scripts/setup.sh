#!/usr/bin/env bash
# Installs what Tavoli needs to build and run, skipping what is already there. Safe to run twice.
#   scripts/setup.sh         build tools (wasm target, wasm-bindgen, wasm-opt, brotli)
#   scripts/setup.sh --test  also the test tools (Chromium, ChromeDriver, PostgreSQL, PDF tools, npm packages)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "setup: need root to run: $*" >&2; exit 1; fi
}

apt_updated=0
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "Installing Debian packages: ${missing[*]}"
    if [ $apt_updated = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The browser bundle is compiled to WebAssembly.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen's command line must match the library version in Cargo.lock exactly.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
    say "Installing wasm-bindgen-cli $wb_version (about 2 minutes)"
    # Not --locked: the CLI's own lock file names a crate version the registry does not serve.
    cargo install wasm-bindgen-cli --version "=$wb_version" --quiet
fi

# wasm-opt (binaryen, from the npm registry) shrinks the bundle; brotli pre-compresses it;
# Titillium Web (npm) is the typeface of the Italian public-sector design system.
apt_install brotli
if [ ! -x scripts/tools/node_modules/.bin/wasm-opt ] || [ ! -d scripts/tools/node_modules/@fontsource/titillium-web ] ||
    [ scripts/tools/package-lock.json -nt scripts/tools/node_modules ]; then
    say "Installing binaryen (wasm-opt) and the Titillium Web font (npm)"
    (cd scripts/tools && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ $want_test = 1 ]; then
    apt_install chromium chromium-driver poppler-utils qpdf postgresql fonts-dejavu-core
    if [ ! -d tests/browser/node_modules ] || [ tests/browser/package-lock.json -nt tests/browser/node_modules ]; then
        say "Installing the browser-test packages (npm)"
        (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    fi
    # schemathesis (PyPI) fuzzes the JSON API from its OpenAPI document; it runs with Python 3.11.
    st_version=4.32.5
    if [ "$(scripts/tools/.venv/bin/schemathesis --version 2>/dev/null | awk '{print $NF}')" != "$st_version" ]; then
        say "Installing schemathesis $st_version (PyPI) in scripts/tools/.venv"
        apt_install python3-venv
        python3 -m venv scripts/tools/.venv
        scripts/tools/.venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$st_version"
    fi
fi
