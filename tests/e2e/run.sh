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
. scripts/serve-fixture.sh

(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run check --silent &&
  npm run build --silent)
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)

fixture_ledger e2e
STAFF_TEMP_PASSWORD=$(fixture_password s1)
MANAGER_TEMP_PASSWORD=$(fixture_password m2)
export STAFF_LOGIN=s1 MANAGER_LOGIN=m2 STAFF_TEMP_PASSWORD MANAGER_TEMP_PASSWORD
ADMIN_TEMP_PASSWORD=$(fixture_password c1)
export ADMIN_LOGIN=c1 ADMIN_TEMP_PASSWORD
export ASSET_CODE=d-zei

fixture_serve --web-root web/dist --access-log "$work/access.log"
export MAMORI_URL="http://127.0.0.1:$port"
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

# One tenant of an installation, reached by path (/t/<id>/): tests/e2e/tenants.mjs.
inst="$work/installation"
for tenant in ea eb; do
  "$mamori" tenant add "$tenant" --installation "$inst" --name "$tenant" -p policies/hannan.toml >/dev/null
done
tenant_db=(--db "$inst/tenants/ea/ledger.db" --key "$inst/tenants/ea/audit-key")
"$mamori" "${tenant_db[@]}" batch < examples/demo-ledger.jsonl | { grep '^failed' || true; }
STAFF_TEMP_PASSWORD=$("$mamori" "${tenant_db[@]}" --json account create s1 --as c1 |
  sed -n 's/.*"temporary_password":"\([^"]*\)".*/\1/p')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$mamori" serve --installation "$inst" --host 127.0.0.1 --port "$port" --web-root web/dist \
  >"$work/tenants.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/t/ea/api/v1/health')" \
    2>/dev/null && break
  sleep 0.1
done
status=0
MAMORI_URL="http://127.0.0.1:$port" TENANT_A=ea TENANT_B=eb STAFF_LOGIN=s1 STAFF_TEMP_PASSWORD="$STAFF_TEMP_PASSWORD" \
  node tests/e2e/tenants.mjs || status=$?
if [ "$status" -ne 0 ]; then echo "e2e tenants: failed; server log:"; cat "$work/tenants.log"; exit "$status"; fi
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
echo "e2e: passed; screenshots in $ARTIFACTS"
