#!/usr/bin/env bash
# The live collector against nfcapd (issue 12, "Live", bench (3)): the
# synthetic α week (examples/netcheck/make-flows.py → nfpcapd, no network) is
# replayed as NetFlow v9 over loopback by Debian's nfreplay at increasing
# rates, once to `mamori netcheck listen` and once to `nfcapd`, the same
# files at the same pace, one after the other (so neither steals the other's
# CPU). A step is DELAYxSTREAMS: nfreplay's -d (microseconds between export
# packets) and how many nfreplay run at once (each a separate exporter, as
# several routers would be; -d 1 is nfreplay's fastest paced rate, so more
# streams go beyond it). For each step: flows sent, flows each received,
# lost. The result is the highest rate with zero lost flows for each; the aim
# is mamori >= nfcapd. Both get the same socket receive buffer (mamori's
# default, 4 MiB; nfcapd -B).
#
#   bench/netcheck_listen_bench.sh [FLOWS] [STEPS]   (default 300000, "100x1 10x1 1x1 1x2 1x3 1x4 0x1")
# Needs: nfdump (nfpcapd, nfreplay, nfcapd: scripts/install-deps.sh bench),
# the release build (cmake --preset release; cmake --build build/release --target mamori).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
flows=${1:-300000}
steps=${2:-100x1 10x1 1x1 1x2 1x3 1x4 0x1}
mamori=${MAMORI:-$root/build/release/src/cli/mamori}
for tool in nfpcapd nfreplay nfcapd nfdump python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/install-deps.sh bench)"; exit 2; }
done
[[ -x $mamori ]] || { echo "needs $mamori (cmake --preset release; cmake --build build/release --target mamori)"; exit 2; }
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

echo "== generating $flows flows → nfdump files"
python3 "$root/examples/netcheck/make-flows.py" "$work/gen" --flows "$flows" --no-text \
  --pcap "$work/flows.pcap" >/dev/null
mkdir "$work/nf"
nfpcapd -r "$work/flows.pcap" -w "$work/nf" -e 1,1 -t 86400 >"$work/nfpcapd.log" 2>&1 ||
  { cat "$work/nfpcapd.log"; exit 1; }
rm "$work/flows.pcap"
sent=$(nfdump -R "$work/nf" -o csv | tail -n 1 | cut -d, -f1)
echo "   $sent flows in $(ls "$work"/nf/nfcapd.* | wc -l) file(s)"

free_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
now() { date +%s.%N; }
replay() {  # replay PORT STEP → prints the seconds the replay took
  local t0 t1 delay=${2%x*} streams=${2#*x} i
  t0=$(now)
  for ((i = 0; i < streams; i++)); do
    (for file in "$work"/nf/nfcapd.*; do
       nfreplay -r "$file" -H 127.0.0.1 -p "$1" -v 9 -d "$delay" >/dev/null 2>&1
     done) &
  done
  wait
  t1=$(now)
  python3 -c "print(f'{$t1 - $t0:.3f}')"
}

run_mamori() {  # run_mamori STEP → "received seconds"
  local port out err pid seconds
  port=$(free_port)
  out=$work/mamori.json err=$work/mamori.err
  "$mamori" netcheck listen --netflow-v9 "127.0.0.1:$port" \
    --zones "$root/tests/data/netcheck/alpha_zones.toml" -p "$root/policies/hannan.toml" \
    --json >"$out" 2>"$err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do grep -q listening "$err" && break; sleep 0.05; done
  seconds=$(replay "$port" "$1")
  sleep 1
  kill -TERM "$pid"
  wait "$pid" || true
  python3 - "$out" "$seconds" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
report = [l for l in lines if "collector" in l][-1]
print(report["collector"]["flows"], sys.argv[2])
PY
}

run_nfcapd() {  # run_nfcapd STEP → "received seconds"
  local port dir pid seconds
  port=$(free_port)
  dir=$work/capd.$1
  mkdir "$dir"
  nfcapd -b 127.0.0.1 -p "$port" -w "$dir" -t 3600 -B $((4 << 20)) >"$work/nfcapd.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  sleep 0.5
  seconds=$(replay "$port" "$1")
  sleep 1
  kill -TERM "$pid"
  wait "$pid" || true
  local received
  received=$(nfdump -R "$dir" -o csv 2>/dev/null | tail -n 1 | cut -d, -f1)
  echo "${received:-0} $seconds"
}

printf '%-6s %9s | %9s %10s %8s | %9s %10s %8s\n' "step" "sent" "flows/s" "mamori" "lost" \
  "flows/s" "nfcapd" "lost"
best_mamori=0
best_nfcapd=0
for step in $steps; do
  total=$((sent * ${step#*x}))
  read -r got_m secs_m < <(run_mamori "$step")
  read -r got_n secs_n < <(run_nfcapd "$step")
  rate_m=$(python3 -c "print(int($total / max($secs_m, 1e-9)))")
  rate_n=$(python3 -c "print(int($total / max($secs_n, 1e-9)))")
  printf '%-6s %9s | %9s %10s %8s | %9s %10s %8s\n' "$step" "$total" "$rate_m" "$got_m" \
    "$((total - got_m))" "$rate_n" "$got_n" "$((total - got_n))"
  [[ $got_m -ge $total && $rate_m -gt $best_mamori ]] && best_mamori=$rate_m
  [[ $got_n -ge $total && $rate_n -gt $best_nfcapd ]] && best_nfcapd=$rate_n
done
python3 - "$best_mamori" "$best_nfcapd" <<'PY'
import sys
m, n = int(sys.argv[1]), int(sys.argv[2])
print(f"highest lossless rate: mamori {m:,} flows/s, nfcapd {n:,} flows/s")
if n == 0:
    print("ratio mamori/nfcapd: n/a (nfcapd lost records at every rate)  MISS")
else:
    ratio = m / n
    print(f"ratio mamori/nfcapd: {ratio:.2f}x  aim >= 1x: {'PASS' if ratio >= 1 else 'MISS'}")
PY
