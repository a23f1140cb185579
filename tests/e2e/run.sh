#!/usr/bin/env bash
# The browser end-to-end test: type-checks and builds the web UI, starts `mamori serve` on a
# loopback port over a fresh demo ledger (examples/demo-ledger.jsonl), gives
# the staff member s1 and the manager m2 (税務課) accounts with temporary
# passwords, and runs tests/e2e/e2e.mjs in Debian's Chromium through
# playwright-core. Screenshots go to $ARTIFACTS (default build/e2e-artifacts).
#   tests/e2e/run.sh MAMORI_BINARY
set -euo pipefail
cd "$(dirname "$0")/../.."
mamori=$(realpath "${1:?usage: run.sh MAMORI_BINARY}")
export ARTIFACTS=${ARTIFACTS:-$PWD/build/e2e-artifacts}
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run check --silent &&
  npm run build --silent)
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)

db="$work/e2e.db"
"$mamori" --db "$db" init -p policies/hannan.toml >/dev/null
"$mamori" --db "$db" batch < examples/demo-ledger.jsonl | { grep '^failed' || true; }
password_of() {
  "$mamori" --db "$db" --json account create "$1" --as c1 |
    sed -n 's/.*"temporary_password":"\([^"]*\)".*/\1/p'
}
STAFF_TEMP_PASSWORD=$(password_of s1)
MANAGER_TEMP_PASSWORD=$(password_of m2)
export STAFF_LOGIN=s1 MANAGER_LOGIN=m2 STAFF_TEMP_PASSWORD MANAGER_TEMP_PASSWORD
ADMIN_TEMP_PASSWORD=$(password_of c1)
export ADMIN_LOGIN=c1 ADMIN_TEMP_PASSWORD
export ASSET_CODE=d-zei

# A free loopback port: ask the kernel, then let mamori bind it.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$mamori" --db "$db" serve --host 127.0.0.1 --port "$port" --web-root web/dist \
  --access-log "$work/access.log" >"$work/serve.log" 2>&1 &
server_pid=$!
export MAMORI_URL="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('$MAMORI_URL/api/v1/health')" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
mkdir -p "$ARTIFACTS"
status=0
node tests/e2e/e2e.mjs || status=$?
if [ "$status" -ne 0 ]; then
  echo "e2e: failed; server log:"; cat "$work/serve.log"; tail -n 30 "$work/access.log" || true
  exit "$status"
fi
# The server stops cleanly on SIGTERM and signs the audit log's head.
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
"$mamori" --db "$db" audit verify >/dev/null
echo "e2e: passed; screenshots in $ARTIFACTS"
