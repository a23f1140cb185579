#!/usr/bin/env bash
# Nothing committed is ever lost: `mamori batch` is killed with SIGKILL in the
# middle of a batch of 3000 commands; afterwards every command it reported as
# committed ("ok N") is in the ledger, nothing is half-written, and the audit
# chain verifies. Run several times at different moments.
#   ledger_kill_test.sh MAMORI ROOT [DATABASE]
# DATABASE: an empty PostgreSQL location (postgresql://…?schema=…) to run the
# same on the second engine (scripts/run-postgres-tests.sh); default a file.
set -u
mamori=$(realpath "$1")
root=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MAMORI_STATE_DIR=$work  # where a PostgreSQL ledger's signing key is kept
db=${3:-$work/l.db}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$mamori" --db "$db" init -p "$root/policies/hannan.toml" >/dev/null || fail "init"
"$mamori" --db "$db" org add-department somu 総務部 >/dev/null || fail "department"
"$mamori" --db "$db" org add-section zeimu 税務課 --department somu >/dev/null || fail "section"

for round in 1 2 3; do
  batch="$work/batch$round.jsonl"
  : >"$batch"
  for i in $(seq 1 3000); do
    echo "[\"org\",\"add-person\",\"r${round}p$i\",\"職員 $i\",\"--section\",\"zeimu\",\"--start\",\"2024-04-01\"]" >>"$batch"
  done
  out="$work/out$round.txt"
  "$mamori" --db "$db" batch <"$batch" >"$out" 2>"$work/err$round.txt" &
  pid=$!
  # Wait until some commands have committed, then kill at once.
  target=$((round * 40))
  for _ in $(seq 1 600); do
    [ "$(grep -c '^ok ' "$out" 2>/dev/null)" -ge "$target" ] && break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  committed=$(grep -c '^ok ' "$out")
  [ "$committed" -ge "$target" ] || fail "round $round: only $committed commands ran before the kill"
  [ "$committed" -lt 3000 ] || fail "round $round: the batch finished before it was killed"

  people=$("$mamori" --db "$db" --json org list people)
  missing=0
  for n in $(grep '^ok ' "$out" | cut -d' ' -f2); do
    grep -q "\"r${round}p$n\"" <<<"$people" || missing=$((missing + 1))
  done
  [ "$missing" -eq 0 ] || fail "round $round: $missing committed people are missing"
  stored=$(grep -o "\"r${round}p[0-9]*\"" <<<"$people" | wc -l)
  # The command being committed when the kill came may be stored without its
  # "ok" line having been printed: at most one more.
  if [ "$stored" -lt "$committed" ] || [ "$stored" -gt $((committed + 1)) ]; then
    fail "round $round: $stored stored for $committed reported"
  fi
  "$mamori" --db "$db" audit verify >"$work/verify$round.txt"
  rc=$?
  [ "$rc" -eq 0 ] || { fail "round $round: audit verify exit $rc"; cat "$work/verify$round.txt"; }
  echo "round $round: killed after $committed commits; $stored stored; chain valid"
done

# And the ledger is still usable afterwards.
"$mamori" --db "$db" org add-person after "後 一人" --section zeimu --start 2024-04-01 >/dev/null ||
  fail "the ledger is not writable after the kills"
"$mamori" --db "$db" audit verify >/dev/null || fail "verify after the kills"

[ "$failures" -eq 0 ] && echo "PASS" || echo "$failures failure(s)"
[ "$failures" -eq 0 ]
