#!/usr/bin/env bash
# The ledger, audit, workflow, incident, assess, auth and API suites a second time, on
# PostgreSQL: a throw-away cluster (scripts/pg-test-cluster.sh) on a Unix
# socket, each test in a schema of its own ($MAMORI_TEST_POSTGRES_URL, see
# src/ledger/test_support.h), then the CLI on a PostgreSQL ledger and the
# SIGKILL test of the ledger there. Called by run-tests.sh after the build.
#   scripts/run-postgres-tests.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=$(realpath "${1:?usage: $0 BUILD_DIR}")
cluster=$(mktemp -d /tmp/mamori-pg.XXXXXX)
trap 'scripts/pg-test-cluster.sh stop "$cluster"' EXIT
url=$(scripts/pg-test-cluster.sh start "$cluster")
echo "PostgreSQL: $url"
export MAMORI_TEST_POSTGRES_URL=$url
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

suites=(storage/storage_test audit/audit_test ledger/ledger_test
  ledger/registers/registers_test ledger/workflow/workflow_test ledger/incident/incident_test
  assess/assess_test auth/auth_test server/server_test server/server_roles_test
  tenancy/tenancy_test server/tenant_test)
for suite in "${suites[@]}"; do
  log=$(mktemp)
  if ! "$build/src/$suite" --gtest_brief=1 >"$log" 2>&1; then
    cat "$log"
    echo "postgres: $suite failed"
    exit 1
  fi
  echo "$suite (postgres): $(grep -E '^\[  PASSED  \]' "$log")$(grep -E '^\[  SKIPPED \]' "$log" | sed 's/^/, /')"
  rm -f "$log"
done

echo "== the CLI on a PostgreSQL ledger"
"$root/tests/integration/ledger_cli_test.sh" "$build/src/cli/mamori" "$root" "$url&schema=cli"
echo "== SIGKILL in the middle of a batch, on PostgreSQL"
"$root/tests/integration/ledger_kill_test.sh" "$build/src/cli/mamori" "$root" "$url&schema=kill"
echo "== mamori copy (SQLite ⇄ PostgreSQL) and migrate"
"$root/tests/integration/storage_cli_test.sh" "$build/src/cli/mamori" "$root" "$url"
echo "== two mamori serve processes on one PostgreSQL ledger"
python3 "$root/tests/integration/two_servers_test.py" "$build/src/cli/mamori" "$root" "$url"
