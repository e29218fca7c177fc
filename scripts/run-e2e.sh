#!/usr/bin/env bash
# End-to-end tests of the web page: starts the real server (Release build, empty temporary data folder,
# no API keys) on a free loopback port, waits until it is ready, runs `node --test tests/e2e/` in Debian's
# Chromium, and always stops the server. Screenshots of each step go to build/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=build/release/faceid
[[ -x $bin ]] || { echo "run-e2e: $bin is missing; build first (make build)" >&2; exit 1; }

mkdir -p build/e2e
port=$(node -e "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });")
data=$(mktemp -d -t faceid-e2e-data-XXXXXX)
log=build/e2e/server.log

# API keys off for the page tests (the flag exists once the server has API keys).
auth=()
if "$bin" serve --help 2>/dev/null | grep -q -- '--no-auth'; then auth=(--no-auth); fi

"$bin" serve --host 127.0.0.1 --port "$port" --data "$data" "${auth[@]}" >"$log" 2>&1 &
server=$!
stop_server() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$data"
}
trap stop_server EXIT

url="http://127.0.0.1:$port"
for _ in $(seq 1 300); do
    if ! kill -0 "$server" 2>/dev/null; then
        echo "run-e2e: the server exited at start; its log:" >&2
        cat "$log" >&2
        exit 1
    fi
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/readyz" || true) == 200 ]] && break
    sleep 0.1
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "$url/readyz" || true) == 200 ]] || {
    echo "run-e2e: $url/readyz did not answer 200 within 30 s; server log in $log" >&2
    exit 1
}

echo "== End-to-end tests (Chromium) against $url"
# One file at a time, in name order: the files share the server, and web-people.test.mjs imports a folder
# that would make web-page.test.mjs's stranger someone known.
FACEID_E2E_URL=$url node --test --test-concurrency=1 tests/e2e/
