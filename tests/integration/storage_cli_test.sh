#!/usr/bin/env bash
# A whole ledger moved between engines with `mamori copy`, and `mamori
# migrate`: the demo ledger (SQLite) copied to PostgreSQL and back, the same
# registers and people on every side, the audit chain verified on arrival and
# still writable (new ids follow the copied ones); a copy onto a ledger that
# has data is refused and leaves it as it was; an older schema is reported
# by `migrate --check` and upgraded, with an audit event, by `migrate`.
#   storage_cli_test.sh MAMORI ROOT POSTGRES_URL   (scripts/run-postgres-tests.sh)
set -u
mamori=$(realpath "$1")
root=$(realpath "$2")
url=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MAMORI_STATE_DIR=$work  # where the PostgreSQL ledgers' keys are kept
failures=0
check() {  # check NAME EXPECTED_EXIT ACTUAL_EXIT
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, expected $2)"; failures=$((failures + 1));
  else echo "ok: $1"; fi
}
cd "$root" || exit 1
file="$work/l.db"
pg="$url&schema=copy_target"
back="$work/back.db"
same() {  # same NAME A B: the listings of ledger A and ledger B are equal
  local differ=0
  for listing in "register list asset" "register list device" "org list people" "request list"; do
    # shellcheck disable=SC2086
    diff <("$mamori" --db "$2" --json $listing) <("$mamori" --db "$3" --json $listing) >/dev/null ||
      { echo "  differs: $listing"; differ=1; }
  done
  check "$1" 0 "$differ"
}

"$mamori" --db "$file" init -p policies/hannan.toml >/dev/null
"$mamori" --db "$file" batch <examples/demo-ledger.jsonl >/dev/null 2>&1
check "the demo ledger (SQLite)" 0 $?

"$mamori" --db "$file" copy --from "$file" --to "$pg" >"$work/copy.txt"
check "copy SQLite → PostgreSQL" 0 $?
grep -q "監査ログを検証しました" "$work/copy.txt"
check "the chain was verified on arrival" 0 $?
same "PostgreSQL holds what the file holds" "$file" "$pg"
"$mamori" --db "$pg" audit verify >/dev/null
check "audit verify on PostgreSQL" 0 $?

"$mamori" --db "$pg" org add-person pg1 "複写 後" --section zeimu --start 2024-04-01 >/dev/null
check "the copy is writable (ids continue after the copied ones)" 0 $?
"$mamori" --db "$file" org add-person pg1 "複写 後" --section zeimu --start 2024-04-01 >/dev/null

"$mamori" copy --from "$pg" --to "$back" >/dev/null
check "copy PostgreSQL → SQLite" 0 $?
same "the file copied back holds the same" "$pg" "$back"
"$mamori" --db "$back" audit verify >/dev/null
check "audit verify on the file copied back" 0 $?

events_before=$("$mamori" --db "$pg" audit export | wc -l)
"$mamori" copy --from "$file" --to "$pg" >/dev/null 2>"$work/err.txt"
check "a copy onto a ledger with data is refused" 3 $?
grep -q "never overwritten" "$work/err.txt"
check "the refusal says why" 0 $?
events_after=$("$mamori" --db "$pg" audit export | wc -l)
check "the refused target is as it was" "$events_before" "$events_after"

"$mamori" copy --from "$work/missing.db" --to "$url&schema=copy_never" >/dev/null 2>"$work/err.txt"
check "a missing source is an error" 3 $?
grep -q "missing.db" "$work/err.txt"
check "the error names the source" 0 $?

# An older schema: the newest migration undone by hand.
sqlite3 "$file" "DROP TABLE risk_assessments; DELETE FROM schema_migrations WHERE version = 11;"
"$mamori" --db "$file" migrate --check >/dev/null
check "migrate --check reports an older schema" 5 $?
"$mamori" copy --from "$file" --to "$url&schema=copy_old" >/dev/null 2>"$work/err.txt"
check "an older source is not copied" 3 $?
"$mamori" --db "$file" migrate >"$work/migrate.txt"
check "migrate upgrades" 0 $?
grep -q "→" "$work/migrate.txt"
check "migrate says from which version to which" 0 $?
"$mamori" --db "$file" audit export | grep -q '"ledger.migrate"'
check "the upgrade is an audit event" 0 $?
"$mamori" --db "$file" migrate --check >/dev/null
check "migrate --check is content afterwards" 0 $?
"$mamori" --db "$pg" migrate --check >/dev/null
check "migrate --check on PostgreSQL" 0 $?

[ "$failures" -eq 0 ] && echo "PASS" || echo "$failures failure(s)"
[ "$failures" -eq 0 ]
