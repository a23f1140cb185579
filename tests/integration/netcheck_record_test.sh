#!/usr/bin/env bash
# `mamori netcheck config --record` on the demo ledger (issue 12, "each run
# is recorded … violations become findings"): the α rule set with its holes
# opens one finding per violation, owned by whom --owner names; the same
# check again opens none (the findings are still open); the audit chain has
# a netcheck.run event with the inputs' SHA-256 and verifies; an unknown
# person, or --record without --as, is refused and writes nothing.
#   netcheck_record_test.sh MAMORI ROOT
set -uo pipefail
mamori=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # check NAME WANT GOT
  if [[ $2 == "$3" ]]; then echo "ok   $1"; else echo "FAIL $1: want $2, got $3"; failures=$((failures + 1)); fi
}
data=$root/tests/data/netcheck
db=$work/demo.db
m() { "$mamori" --db "$db" "$@"; }
m init -p "$root/policies/hannan.toml" >/dev/null
m batch <"$root/examples/demo-ledger.jsonl" >/dev/null 2>&1
events() { m --json audit verify | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])'; }
findings() { m --json assess finding list | python3 -c '
import json, sys
print(sum(1 for f in json.load(sys.stdin) if f["source"] == "netcheck"))'; }

m netcheck config "$data/alpha_hole.rules" --zones "$data/alpha_zones.toml" --record --as k1 \
  --owner d1 --json >"$work/first.json"
check "the violations exit 7" 7 $?
new=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["recorded"]["new_findings"]))' "$work/first.json")
violations=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["violations"]))' "$work/first.json")
check "one finding per violation" "$violations" "$new"
check "the findings are in the register" "$violations" "$(findings)"
owner=$(m --json assess finding list | python3 -c '
import json, sys
print(sorted({f["owner"] for f in json.load(sys.stdin) if f["source"] == "netcheck"}))')
check "owned by --owner" "['d1']" "$owner"

m netcheck config "$data/alpha_hole.rules" --zones "$data/alpha_zones.toml" --record --as k1 \
  --json >"$work/second.json"
check "again: exit 7" 7 $?
again=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["recorded"]; print(len(r["new_findings"]), len(r["open_findings"]))' "$work/second.json")
check "again: no new finding, the open ones named" "0 $violations" "$again"
check "still one finding per violation" "$violations" "$(findings)"

m audit export --format jsonl >"$work/log.jsonl"
runs=$(python3 - "$work/log.jsonl" "$data/alpha_hole.rules" <<'PY'
import hashlib, json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
want = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
runs = [e for e in events if e.get("action") == "netcheck.run"]
state = runs[-1]["state"] if runs else {}
state = json.loads(state) if isinstance(state, str) else state
print(len(runs), any(i["sha256"] == want for i in state.get("inputs", [])))
PY
)
check "two netcheck.run events, the rule set's SHA-256 in them" "2 True" "$runs"
m audit verify >/dev/null
check "the audit chain verifies" 0 $?

before=$(events)
m netcheck config "$data/alpha_hole.rules" --zones "$data/alpha_zones.toml" --record --as nobody \
  >/dev/null 2>"$work/nobody.err"
check "an unknown person is refused (exit 3)" 3 $?
grep -q nobody "$work/nobody.err"; check "the error names them" 0 $?
m netcheck config "$data/alpha_hole.rules" --zones "$data/alpha_zones.toml" --record \
  >/dev/null 2>"$work/noas.err"
check "--record without --as is refused (exit 3)" 3 $?
check "nothing written by the refused runs" "$before" "$(events)"

echo "$failures failure(s)"
[[ $failures == 0 ]]
