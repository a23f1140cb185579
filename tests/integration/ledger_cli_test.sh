#!/usr/bin/env bash
# The ledger end to end through the mamori program: the demo organization
# and its requests (examples/demo-ledger.jsonl), separation of duties, an
# import with bad rows that imports nothing, an XLSX export imported into a
# fresh ledger, and a chain that verifies at the end.
#   ledger_cli_test.sh MAMORI ROOT [DATABASE]
# DATABASE: a PostgreSQL location whose last parameter is `schema=…` to run
# the same on the second engine (scripts/run-postgres-tests.sh).
set -u
mamori=$(realpath "$1")
root=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=${3:-$work/l.db}
other=${3:+${3}_other}
other=${other:-$work/other.db}
failures=0
check() {  # check NAME EXPECTED_EXIT ACTUAL_EXIT
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, expected $2)"; failures=$((failures + 1));
  else echo "ok: $1"; fi
}
m() { "$mamori" --db "$db" "$@"; }
cd "$root" || exit 1
export MAMORI_STATE_DIR=$work  # where a PostgreSQL ledger's signing key is kept

m init -p "$root/policies/hannan.toml" >/dev/null
check "init" 0 $?
m batch <"$root/examples/demo-ledger.jsonl" >"$work/batch.txt" 2>&1
check "the demo batch runs without a failed line" 0 $?

# Request 3 (l2's disposal) waits for m2; l2 cannot approve it, m2 can.
m request approve 3 --as l2 --comment "自分で" >/dev/null 2>"$work/err.txt"
check "the requester cannot approve (1(3)①)" 3 $?
grep -q "1(3)①" "$work/err.txt"
check "the refusal cites 1(3)①" 0 $?
m request approve 3 --as m2 --comment "溶解処理で可" >/dev/null
check "the section's manager approves" 0 $?
m --json request show 3 | grep -q '"status":"approved"'
check "the request is approved" 0 $?

# An import with a bad row imports nothing and names the cell.
printf 'code,name,kind,importance,owner_section,manager\r\nd-new,新規データ,data,A,zeimu,m2\r\nd-bad,誤り,data,Q,zeimu,m2\r\n' >"$work/bad.csv"
before=$(m --json register list asset | grep -o '"code"' | wc -l)
m register import asset "$work/bad.csv" --as m2 >/dev/null 2>"$work/err.txt"
check "an import with a bad row fails" 3 $?
grep -q "bad.csv:3" "$work/err.txt"
check "the error names the file and row 3" 0 $?
after=$(m --json register list asset | grep -o '"code"' | wc -l)
check "nothing was imported" "$before" "$after"

# XLSX out of one ledger, into another: the same assets.
m register export asset -o "$work/assets.xlsx" >/dev/null 2>&1
check "export to XLSX" 0 $?
"$mamori" --db "$other" init -p "$root/policies/hannan.toml" >/dev/null
"$mamori" --db "$other" batch < <(grep '"org"' "$root/examples/demo-ledger.jsonl") >/dev/null
"$mamori" --db "$other" register import asset "$work/assets.xlsx" --as m2 >/dev/null
check "import the XLSX into a fresh ledger" 0 $?
diff <(m register list asset) <("$mamori" --db "$other" register list asset) >/dev/null
check "the fresh ledger lists the same assets" 0 $?

m audit verify >/dev/null
check "the audit chain verifies" 0 $?

[ "$failures" -eq 0 ] && echo "PASS" || echo "$failures failure(s)"
[ "$failures" -eq 0 ]
