#!/usr/bin/env bash
# Property-based API testing: schemathesis (PyPI) generates requests from GET /api/openapi.json
# of a running server (with the demo, signed in as its planning office) and fails on any 5xx
# or crash. scripts/setup.sh --test installs it in scripts/tools/.venv. Usage:
#   scripts/schemathesis.sh            (about 30 examples per operation)
#   ST_EXAMPLES=500 scripts/schemathesis.sh   (a longer run)
set -euo pipefail
cd "$(dirname "$0")/.."
st=scripts/tools/.venv/bin/schemathesis
[ -x "$st" ] || { echo "schemathesis is missing: run scripts/setup.sh --test" >&2; exit 1; }
target_dir=${CARGO_TARGET_DIR:-target}
data_dir=$(mktemp -d)
out=$(mktemp)
TAVOLI_ADDR=127.0.0.1:0 TAVOLI_DATA_DIR="$data_dir" TAVOLI_LOG=warn TAVOLI_SITE_DIR=target/site \
    "$target_dir/debug/tavoli" serve --demo >"$out" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data_dir" "$out"' EXIT
for _ in $(seq 1 100); do
    url=$(sed -n 's/^Tavoli is serving at //p' "$out")
    [ -n "$url" ] && break
    sleep 0.2
done
[ -n "${url:-}" ] || { cat "$out" >&2; echo "the server did not start" >&2; exit 1; }
token=$(curl -sf -H 'Content-Type: application/json' \
    -d '{"email":"udp@tavoli.demo","password":"tavoli-demo"}' "$url/api/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
"$st" run "$url/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error \
    --max-examples "${ST_EXAMPLES:-30}" \
    --seed 1 \
    --no-color
