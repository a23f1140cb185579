#!/usr/bin/env bash
# Tenants of one installation through the mamori program (docs/cli.md
# "mamori tenant"): add makes a ledger as init does and registers it; bad
# input (a taken or malformed id, an unknown profile, a taken host name, an
# unreachable PostgreSQL) is refused naming what and changes nothing; list,
# disable and the registry's own audit chain; one `mamori serve
# --installation` serves each tenant under /t/<id>/ and by host name, and a
# disabled tenant is 404 at once.
#   tenant_cli_test.sh MAMORI_BINARY REPOSITORY_ROOT
set -u
mamori=$(realpath "$1")
root=$2
cd "$root" || exit 1
unset MAMORI_SECRET_KEY_FILE MAMORI_INSTALLATION
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
check() {  # check NAME EXPECTED_EXIT ACTUAL_EXIT
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, expected $2)"; failures=$((failures + 1));
  else echo "ok: $1"; fi
}
contains() {  # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then echo "ok: $1"; else
    echo "FAIL: $1 (no \"$3\" in:)"; cat "$2"; failures=$((failures + 1)); fi
}
inst="$work/inst"
t() { "$mamori" tenant "$@"; }
snapshot() { (cd "$inst" && find . -type f | sort; "$mamori" --json tenant list --installation "$inst"); }

t add hannan --installation "$inst" --name 阪南市 -p policies/hannan.toml --host hannan.example.jp \
  --as op1 >"$work/out" 2>&1
check "tenant add creates the installation and the first tenant" 0 $?
contains "add names the ledger" "$work/out" "tenants/hannan/ledger.db"
t add kaizuka --installation "$inst" --name 貝塚市 -p policies/hannan.toml --as op1 >/dev/null 2>&1
check "a second tenant" 0 $?
"$mamori" --db "$inst/tenants/hannan/ledger.db" --key "$inst/tenants/hannan/audit-key" audit verify \
  >"$work/out" 2>&1
check "the tenant's ledger verifies with its own key" 0 $?

before=$(snapshot)
case "$before" in *'"id":"kaizuka"'*) ;; *) echo "FAIL: the snapshot lists no tenant: $before"; failures=$((failures + 1)) ;; esac
for args in "hannan --name x -p policies/hannan.toml" "Bad --name x -p policies/hannan.toml" \
  "izumi --name x -p $work/none.toml" "izumi --name x -p policies/hannan.toml --host hannan.example.jp" \
  "izumi --name x -p policies/hannan.toml --postgres postgresql:///x?host=$work/nosocket"; do
  # shellcheck disable=SC2086
  t add $args --installation "$inst" >"$work/out" 2>&1
  code=$?
  [ "$code" != 0 ]
  check "refused: tenant add $args (exit $code)" 0 $?
  [ "$(snapshot)" = "$before" ]
  check "nothing changed after: tenant add $args" 0 $?
done
t add hannan --installation "$inst" --name x -p policies/hannan.toml >"$work/out" 2>&1
contains "a taken id is named" "$work/out" 'テナント ID "hannan" は既に登録されています'
t add izumi --installation "$inst" --name x -p "$work/none.toml" >"$work/out" 2>&1
contains "an unknown profile is named" "$work/out" "$work/none.toml"
t add izumi --installation "$inst" --name x -p policies/hannan.toml \
  --postgres "postgresql:///x?host=$work/nosocket" >"$work/out" 2>&1
contains "an unreachable PostgreSQL is named" "$work/out" "に接続できません"
t list --installation "$work/typo" >"$work/out" 2>&1
check "list of a directory without a registry" 3 $?
[ ! -e "$work/typo" ]
check "a mistyped installation is not created by list" 0 $?

t list --installation "$inst" >"$work/out"
contains "list shows the tenant" "$work/out" "hannan	阪南市	稼働中"

# One server for both tenants.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$mamori" serve --installation "$inst" --host 127.0.0.1 --port "$port" --web-root "" \
  >"$work/serve.log" 2>&1 &
server_pid=$!
status() {  # status PATH [HOST]
  python3 - "$port" "$@" <<'PY'
import sys, urllib.request, urllib.error
port, path = sys.argv[1], sys.argv[2]
request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
if len(sys.argv) > 3:
    request.add_header("Host", sys.argv[3])
try:
    with urllib.request.urlopen(request) as response:
        print(response.status, response.read().decode())
except urllib.error.HTTPError as error:
    print(error.code, error.read().decode())
PY
}
for _ in $(seq 1 100); do
  status /t/hannan/api/v1/health 2>/dev/null | grep -q '^200' && break
  sleep 0.1
done
status /t/hannan/api/v1/health >"$work/out"
contains "hannan served by path" "$work/out" "200 "
status /api/v1/health hannan.example.jp >"$work/out"
contains "hannan served by host name" "$work/out" "200 "
status /t/kaizuka/api/v1/health >"$work/out"
contains "kaizuka served by path" "$work/out" "200 "
status /t/izumi/api/v1/health >"$work/out"
contains "an unknown tenant is 404, named" "$work/out" '"message":"テナント \"izumi\" はありません"'
contains "an unknown tenant is 404" "$work/out" '404 {"error":{"code":"not_found"'

t disable kaizuka --installation "$inst" --as op2 >"$work/out" 2>&1
check "tenant disable" 0 $?
status /t/kaizuka/api/v1/health >"$work/out"
contains "a disabled tenant is 404 at once" "$work/out" "停止されています"
status /t/hannan/api/v1/health >"$work/out"
contains "the other tenant is still served" "$work/out" "200 "
t disable kaizuka --installation "$inst" >"$work/out" 2>&1
check "disabling twice is refused" 3 $?
[ -f "$inst/tenants/kaizuka/ledger.db" ]
check "a disabled tenant's ledger stays" 0 $?

kill "$server_pid"; wait "$server_pid"
check "serve --installation stops cleanly" 0 $?
server_pid=""
contains "serve named both tenants" "$work/serve.log" "テナント 2 件: hannan, kaizuka"

t verify --installation "$inst" >"$work/out" 2>&1
check "the registry's audit chain verifies" 0 $?
"$mamori" --json tenant list --installation "$inst" >"$work/out"
contains "list --json shows disabled" "$work/out" '"status":"disabled"'
[ "$(sqlite3 "$inst/installation.db" "SELECT group_concat(action || ':' || actor, ' ') FROM audit_events")" = \
  "installation.init:system tenant.add:op1 tenant.add:op1 tenant.disable:op2" ]
check "every operator action is in the registry's audit log" 0 $?

echo "failures: $failures"
[ "$failures" = 0 ]
