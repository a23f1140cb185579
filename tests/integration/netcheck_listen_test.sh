#!/usr/bin/env bash
# `mamori netcheck listen` fed by a real exporter (issue 12, "Live"): the
# synthetic α week (examples/netcheck/make-flows.py) becomes nfdump files
# (nfpcapd, no network), Debian's nfreplay sends them as NetFlow v9 over
# loopback to the collector, and the live report must equal the offline one
# of the same flows (`nfdump -o csv` → `mamori netcheck flows`): the same flow
# count, the same two violation groups. Then with --incident-as on the demo
# ledger: one incident per violation group however many flows repeat it (the
# alert limit), the audit chain verifying afterwards; bad options refused
# with a clear error and nothing written.
#   netcheck_listen_test.sh MAMORI ROOT
set -uo pipefail
mamori=$1
root=$2
for tool in nfpcapd nfreplay nfdump python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/install-deps.sh test)"; exit 1; }
done
work=$(mktemp -d)
listener=""
trap '[[ -n $listener ]] && kill "$listener" 2>/dev/null; rm -rf "$work"' EXIT
failures=0
check() {  # check NAME WANT GOT
  if [[ $2 == "$3" ]]; then echo "ok   $1"; else echo "FAIL $1: want $2, got $3"; failures=$((failures + 1)); fi
}
zones=$root/tests/data/netcheck/alpha_zones.toml
profile=$root/policies/hannan.toml

python3 "$root/examples/netcheck/make-flows.py" "$work/gen" --flows 3000 --no-text \
  --pcap "$work/flows.pcap" >/dev/null
mkdir "$work/nf"
nfpcapd -r "$work/flows.pcap" -w "$work/nf" -e 1,1 -t 86400 >"$work/nfpcapd.log" 2>&1 ||
  { cat "$work/nfpcapd.log"; exit 1; }
nfdump -R "$work/nf" -o csv >"$work/offline.csv"
"$mamori" netcheck flows "$work/offline.csv" --zones "$zones" -p "$profile" --json \
  >"$work/offline.json"
check "offline: the two planted violations (exit 7)" 7 $?
total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["flows"])' \
  "$work/offline.json")

free_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Starts the collector in the background; waits for its "listening" line.
start_listener() {  # start_listener PORT OUT ERR DB MAX_FLOWS [LISTEN ARGS...]
  local port=$1 out=$2 err=$3 database=$4 max=$5
  shift 5
  "$mamori" --db "$database" netcheck listen --netflow-v9 "127.0.0.1:$port" --zones "$zones" \
    --max-flows "$max" --json "$@" >"$out" 2>"$err" &
  listener=$!
  for _ in $(seq 100); do
    grep -qs listening "$err" && return 0
    kill -0 "$listener" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
wait_listener() {  # the exit code, or 124 after 60 s
  for _ in $(seq 600); do
    kill -0 "$listener" 2>/dev/null || { wait "$listener"; local code=$?; listener=""; return $code; }
    sleep 0.1
  done
  kill "$listener"; wait "$listener"; listener=""; return 124
}
replay() {  # replay PORT: 100 µs between export packets (lossless on loopback)
  for file in "$work"/nf/nfcapd.*; do
    nfreplay -r "$file" -H 127.0.0.1 -p "$1" -v 9 -d 100 >/dev/null 2>&1 || return 1
  done
}
summary() {  # the report's totals and violation groups, comparable between runs
  python3 - "$1" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
report = [l for l in lines if "violations" in l][-1]
groups = sorted((v["from"], v["to"], v["protocol"], v["destination_port"], v["count"])
                for v in report["violations"])
print(report["totals"]["flows"], groups)
PY
}

# 1. Live = offline.
port=$(free_port)
start_listener "$port" "$work/live.jsonl" "$work/live.err" "$work/none.db" "$total" -p "$profile" ||
  { echo "FAIL the collector did not start"; cat "$work/live.err"; exit 1; }
replay "$port" || { echo "FAIL nfreplay"; exit 1; }
wait_listener
check "live: the collector ends with the violation exit code" 7 $?
check "live and offline reports agree" "$(summary "$work/offline.json")" "$(summary "$work/live.jsonl")"
alerts=$(grep -c '"alert":"forbidden_flow"' "$work/live.jsonl")
check "one alert per violation group" 2 "$alerts"

# 2. Incidents in the ledger, limited to one per group: the week is sent
# twice, so each planted violation is seen twice and alerted once.
db=$work/demo.db
"$mamori" --db "$db" init -p "$profile" >/dev/null
"$mamori" --db "$db" batch <"$root/examples/demo-ledger.jsonl" >/dev/null 2>&1
before=$("$mamori" --db "$db" --json audit verify | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
port=$(free_port)
start_listener "$port" "$work/ledger.jsonl" "$work/ledger.err" "$db" $((2 * total)) \
  --incident-as k1 ||
  { echo "FAIL the collector with a ledger did not start"; cat "$work/ledger.err"; exit 1; }
replay "$port" && replay "$port" || { echo "FAIL nfreplay"; exit 1; }
wait_listener
check "with a ledger: violation exit code" 7 $?
incidents=$("$mamori" --db "$db" --json incident list | python3 -c '
import json, sys
print(sum(1 for i in json.load(sys.stdin) if i["summary"].startswith("三層の対策に反する通信")))')
check "two incidents, one per violation group" 2 "$incidents"
held=$(python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print([l for l in lines if "collector" in l][-1]["collector"]["alerts_held_back"])' "$work/ledger.jsonl")
check "the repeats were held back, not alerted" 2 "$held"
"$mamori" --db "$db" audit verify >/dev/null
check "the audit chain verifies after the incidents" 0 $?

# 3. Bad input: a clear error, nothing written.
events=$("$mamori" --db "$db" --json audit verify | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
"$mamori" --db "$db" netcheck listen --netflow-v9 127.0.0.1:99999 --zones "$zones" \
  --incident-as k1 >/dev/null 2>"$work/bad.err"
check "a bad port is refused (exit 3)" 3 $?
grep -q '99999' "$work/bad.err"; check "the error names the address" 0 $?
"$mamori" --db "$db" netcheck listen --ipfix 127.0.0.1:4739 --netflow-v9 127.0.0.1:2055 \
  --zones "$zones" >/dev/null 2>"$work/both.err"
check "both protocols at once are refused (exit 3)" 3 $?
"$mamori" --db "$db" netcheck listen --netflow-v9 "127.0.0.1:$(free_port)" --zones "$zones" \
  --incident-as nobody >/dev/null 2>"$work/nobody.err"
check "an unknown reporter is refused before listening (exit 3)" 3 $?
grep -q 'nobody' "$work/nobody.err"; check "the error names the reporter" 0 $?
"$mamori" --db "$db" netcheck listen --netflow-v9 "127.0.0.1:$(free_port)" --zones "$zones" \
  >/dev/null 2>"$work/idle.err" &
listener=$!
for _ in $(seq 100); do grep -qs listening "$work/idle.err" && break; sleep 0.1; done
kill -TERM "$listener"; wait "$listener"; code=$?; listener=""
check "SIGTERM stops an idle collector cleanly (exit 0)" 0 $code
after=$("$mamori" --db "$db" --json audit verify | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
check "nothing written by the refused runs" "$events" "$after"
[[ $before -lt $events ]]; check "the incidents were audit events" 0 $?

echo "$failures failure(s)"
[[ $failures == 0 ]]
