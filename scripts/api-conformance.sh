#!/usr/bin/env bash
# API conformance: a property-based run of schemathesis against a real `kefu serve`, checking
# that every answer matches /api/openapi.json. Fails on any server error (5xx), any response
# that breaks its schema, any status code or content type the document does not list, and any
# operation that rejects all the valid input the document allows (`validation_mismatch`).
#
#   scripts/api-conformance.sh                 # build the debug binary, run, exit non-zero on failure
#   KEFU_BIN=target/release/kefu scripts/api-conformance.sh
#   KEFU_CONFORMANCE_EXAMPLES=100 scripts/api-conformance.sh   # a longer run (default 25 per operation)
#
# The server runs on a fresh temporary data directory (the demo shop seeded, its bot included)
# on a free loopback port with the abuse limits off: one client sends thousands of requests and
# would otherwise measure the rate limiter. The run is authenticated as the demo owner with a
# bearer API token holding every scope.
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${KEFU_CONFORMANCE_EXAMPLES:-25}"
seed="${KEFU_CONFORMANCE_SEED:-}"
target_dir="${CARGO_TARGET_DIR:-target}"
bin="${KEFU_BIN:-}"
if [ -z "$bin" ]; then
    cargo build -q -p kefu-server --bin kefu
    bin="$target_dir/debug/kefu"
fi
# Pinned (as in .ci/run): schemathesis's checks and warnings change between releases.
st --version 2>/dev/null | grep -q 'version 4.32.5$' || pip install -q 'schemathesis==4.32.5'

work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# --allow-private-targets: generated callback and webhook URLs are not looked up in DNS (the SSRF
# guard that would refuse them has its own tests).
"$bin" serve --listen 127.0.0.1:0 --data-dir "$work/data" --log warn \
    --rate-limit-per-ip 0 --rate-limit-per-credential 0 --rate-limit-per-customer 0 \
    --allow-private-targets true \
    >"$work/stdout" 2>"$work/server.log" &
server=$!

base=""
for _ in $(seq 1 240); do
    base=$(sed -n 's/^kefu is running at \(http:\/\/[^ ]*\).*/\1/p' "$work/stdout" | head -n1)
    [ -n "$base" ] && break
    kill -0 "$server" 2>/dev/null || { echo "kefu exited at start:" >&2; cat "$work/server.log" >&2; exit 1; }
    sleep 0.5
done
[ -n "$base" ] || { echo "kefu did not print its address" >&2; cat "$work/server.log" >&2; exit 1; }
for _ in $(seq 1 120); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -fsS "$base/healthz" >/dev/null || { echo "kefu at $base never became healthy" >&2; exit 1; }

# Log in as the demo owner and create a token with every scope; the cookie session is used only
# for that (its state-changing calls need the CSRF header, which a fuzzer does not send).
curl -fsS -c "$work/jar" -H 'content-type: application/json' \
    -d '{"email":"owner@demo.kefu","password":"kefu-demo"}' "$base/api/v1/auth/login" >/dev/null
csrf=$(awk '$6 == "kefu_csrf" { print $7 }' "$work/jar")
token=$(curl -fsS -b "$work/jar" -H "X-CSRF-Token: $csrf" -H 'content-type: application/json' \
    -d '{"name":"conformance","scopes":["conversations:read","conversations:write","inbound:write","tokens:manage","settings:manage","people:manage","pii:reveal","audit:read","analytics:read"]}' \
    "$base/api/v1/tokens" | python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')

# Left out, because they end the run's own credentials or the demo owner's access rather than
# test anything the document says:
# - POST /auth/logout: with the run's bearer token it revokes (or refuses) that very token.
# - DELETE /tokens/{id}: the stateful phase can learn the run's own token id from GET /tokens
#   and revoke it, and every later call would be 401.
# - PUT /agents/{id}/role: the same phase can learn the owner's id from GET /agents and demote
#   the run's own user, taking every scope from its token.
# - PUT /me/password: only a cookie session may change a password (a token gets 403 by design),
#   and this run is authenticated by a token.
# Every other operation runs, including the ones that rewrite settings (the data dir is thrown
# away afterwards).
started=$(date +%s)
status=0
# Run from the temporary directory: schemathesis keeps a cache in its working directory.
repo=$(pwd)
# One worker: with two, hypothesis describing its filters in threads hit CPython 3.11's
# "AST constructor recursion depth mismatch" once and aborted the run.
run_st() {
    (cd "$work" && SCHEMATHESIS_HOOKS="$repo/scripts/api-conformance-hooks.py" \
    st --no-color --config-file "$repo/scripts/api-conformance.toml" run "$base/api/openapi.json" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
        --max-examples "$examples" ${seed:+--seed "$seed"} \
        --phases examples,coverage,fuzzing,stateful \
        --workers 1 --request-timeout 30 --no-shrink --generation-database none \
        "$@")
}
# The shop's operations, as the demo owner's token. The platform's operations answer that token
# 401 by design; they get their own pass below.
run_st --header "Authorization: Bearer $token" \
    --exclude-name 'POST /api/v1/auth/logout' \
    --exclude-name 'DELETE /api/v1/tokens/{id}' \
    --exclude-name 'PUT /api/v1/agents/{id}/role' \
    --exclude-name 'PUT /api/v1/me/password' \
    --exclude-path-regex '^/api/v1/platform/' \
    --report junit --report-dir "${KEFU_CONFORMANCE_REPORT:-$work/report}" \
    || status=$?
# The platform's operations with a platform-operator token (made by the CLI on the same
# database), last: suspending the demo shop would end the run above.
platform=$("$bin" platform token create --name conformance --data-dir "$work/data" | tail -n1)
run_st --header "Authorization: Bearer $platform" \
    --include-path-regex '^/api/v1/platform/' \
    --report junit --report-dir "${KEFU_CONFORMANCE_REPORT:-$work/report}/platform" \
    || status=$?
echo "schemathesis finished in $(( $(date +%s) - started )) s (max $examples examples per operation), exit $status"
if grep -q 'panicked' "$work/server.log"; then
    echo "the server panicked during the run:" >&2
    grep -A5 'panicked' "$work/server.log" >&2
    status=1
fi
exit "$status"
