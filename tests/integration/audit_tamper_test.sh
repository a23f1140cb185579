#!/usr/bin/env bash
# Tampering with the database file is detected by `mamori audit verify`,
# which exits 5 and names the first bad event: an edited event, a deleted
# event, and a cut-off tail. The attacker uses the sqlite3 shell and first
# drops the append-only triggers.
set -u
mamori=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then echo "ok: $name"; else echo "FAIL: $name"; failures=$((failures + 1)); fi
}

setup() {
  rm -f "$work"/l.db*
  "$mamori" --db "$work/l.db" init -p "$root/policies/hannan.toml" >/dev/null
  "$mamori" --db "$work/l.db" org add-department somu 総務部 >/dev/null
  "$mamori" --db "$work/l.db" org add-section zeimu 税務課 --department somu >/dev/null
  for i in 1 2 3 4 5; do
    "$mamori" --db "$work/l.db" org add-person "p$i" "職員 $i" --section zeimu --start 2024-04-01 >/dev/null
  done
  sqlite3 "$work/l.db" "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;"
}
verify() {
  "$mamori" --db "$work/l.db" audit verify >"$work/out.txt" 2>&1
  echo $? >"$work/rc.txt"
}
rc_is() { [ "$(cat "$work/rc.txt")" = "$1" ]; }
names() { grep -q "first bad event: $1\$" "$work/out.txt"; }

setup
verify
check "an untouched ledger verifies" rc_is 0

# Events: 1 init, 2 department, 3 section, 4-8 people.
setup
sqlite3 "$work/l.db" "UPDATE audit_events SET actor = 'intruder' WHERE seq = 5;"
verify
check "an edited event fails verification" rc_is 5
check "the edited event is named (5)" names 5

setup
sqlite3 "$work/l.db" "DELETE FROM audit_events WHERE seq = 6;"
verify
check "a deleted event fails verification" rc_is 5
check "the deleted event is named (6)" names 6

setup
sqlite3 "$work/l.db" "DELETE FROM audit_events WHERE seq > 6; DELETE FROM audit_checkpoints;"
verify
check "a cut-off tail fails verification" rc_is 5
check "the first missing event is named (7)" names 7

setup
rm "$work/l.db.checkpoints.jsonl"
sqlite3 "$work/l.db" "UPDATE audit_checkpoints SET signature = replace(signature, substr(signature, 1, 2), 'ff') WHERE seq = 8;"
verify
check "a forged checkpoint fails verification" rc_is 5

[ "$failures" -eq 0 ] && echo "PASS" || echo "$failures failure(s)"
[ "$failures" -eq 0 ]
