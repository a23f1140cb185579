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
echo "e2e: passed; screenshots in $ARTIFACTS"
