#!/usr/bin/env bash
# The sanitizing gateway survives being killed at any moment without losing
# or duplicating a file: 60 files (text to sanitize, executables to refuse)
# are put in the inbox; the gateway is killed with SIGKILL again and again
# and restarted; at the end every file is in the outbox or in quarantine
# exactly once, nothing is left in the work directory, and the ledger holds
# exactly one audit event per file and a valid chain.
set -u
mamori=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
mkdir -p "$work/in" "$work/out" "$work/q"
db="$work/l.db"
"$mamori" --db "$db" init -p "$root/policies/hannan.toml" >/dev/null || fail "init"

total=60
for i in $(seq 1 $total); do
  if [ $((i % 5)) -eq 0 ]; then
    printf '\177ELF\002\001\001\000file %d\n' "$i" >"$work/in/tool$i.txt"
  else
    printf '文書 %d の本文\n' "$i" >"$work/in/doc$i.txt"
  fi
done

kills=0
for round in $(seq 1 40); do
  "$mamori" --db "$db" gateway --in "$work/in" --out "$work/out" --quarantine "$work/q" \
    -p "$root/policies/hannan.toml" --interval-ms 10 >/dev/null 2>"$work/err" &
  pid=$!
  sleep "0.$((RANDOM % 3 + 1))"
  kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
  wait "$pid" 2>/dev/null
  left=$(find "$work/in" -maxdepth 1 -type f ! -name '.*' | wc -l)
  [ "$left" -eq 0 ] && break
done
# A last clean run finishes whatever the last kill interrupted.
"$mamori" --db "$db" gateway --in "$work/in" --out "$work/out" --quarantine "$work/q" \
  -p "$root/policies/hannan.toml" --once >/dev/null || fail "final gateway run"

echo "killed $kills times"
[ "$kills" -ge 2 ] || fail "the gateway was not killed mid-run (too fast?)"
[ -z "$(ls -A "$work/in/.mamori-work")" ] || fail "work items left: $(ls "$work/in/.mamori-work")"
[ -z "$(find "$work/out" -name '.mamori-tmp-*')" ] || fail "temporary outputs left"
out=$(find "$work/out" -type f | wc -l)
quarantined=$(find "$work/q" -type f ! -name '*.report.json' | wc -l)
reports=$(find "$work/q" -type f -name '*.report.json' | wc -l)
[ "$out" -eq 48 ] || fail "outbox holds $out files, expected 48"
[ "$quarantined" -eq 12 ] || fail "quarantine holds $quarantined files, expected 12"
[ "$reports" -eq 12 ] || fail "quarantine holds $reports reports, expected 12"
# Each document exactly once, with its content.
for i in $(seq 1 $total); do
  [ $((i % 5)) -eq 0 ] && continue
  n=$(grep -rlx "文書 $i の本文" "$work/out" | wc -l)
  [ "$n" -eq 1 ] || fail "document $i is in the outbox $n times"
done
events=$("$mamori" --db "$db" audit export | grep -c '"object_type":"gateway_file"')
[ "$events" -eq $total ] || fail "$events gateway events in the audit log, expected $total"
"$mamori" --db "$db" audit verify >/dev/null || fail "audit verify"

[ "$failures" -eq 0 ] && echo "PASS" || echo "$failures failure(s)"
[ "$failures" -eq 0 ]
