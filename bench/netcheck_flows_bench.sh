#!/usr/bin/env bash
# mamori netcheck flows against nfdump itself (issue 12, "Flow logs"):
# ~2 million synthetic α-municipality flows (examples/netcheck/make-flows.py)
# become an nfdump binary file with Debian's nfpcapd reading a generated pcap
# (no network at all), then in the same run:
#   nfdump -R DIR -o csv > out.csv         (nfdump writing the flows)
#   mamori netcheck flows out.csv ...      (mamori checking them)
# Prints flows/s of each and the ratio; the aim is mamori >= 1x nfdump.
#
#   bench/netcheck_flows_bench.sh [FLOWS]      (default 2000000)
# Needs: nfdump (scripts/install-deps.sh bench), the release build
# (cmake --preset release && cmake --build build/release --target mamori).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
flows=${1:-2000000}
mamori=${MAMORI:-$root/build/release/src/cli/mamori}
for tool in nfdump nfpcapd python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/install-deps.sh bench)"; exit 2; }
done
[[ -x $mamori ]] || { echo "needs $mamori (cmake --preset release; cmake --build build/release --target mamori)"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/nf"

echo "== generating $flows flows (pcap, one SYN a flow)"
python3 "$root/examples/netcheck/make-flows.py" "$work/gen" --flows "$flows" --no-text \
  --pcap "$work/flows.pcap"
echo "== nfpcapd -r flows.pcap -w nf/ (nfdump binary files)"
# -e 1,1: every flow is one packet, expire it at once; -t: one file a day.
nfpcapd -r "$work/flows.pcap" -w "$work/nf" -e 1,1 -t 86400 >"$work/nfpcapd.log" 2>&1 || {
  cat "$work/nfpcapd.log"; exit 1; }
rm "$work/flows.pcap"

now() { date +%s.%N; }
echo "== nfdump -R nf/ -o csv > out.csv"
t0=$(now)
nfdump -R "$work/nf" -o csv >"$work/out.csv"
t1=$(now)
written=$(tail -n 1 "$work/out.csv" | cut -d, -f1)  # the Summary: flows,bytes,…
echo "== mamori netcheck flows out.csv"
t2=$(now)
set +e
"$mamori" netcheck flows "$work/out.csv" --zones "$root/tests/data/netcheck/alpha_zones.toml" \
  -p "$root/policies/hannan.toml" --json >"$work/report.json"
code=$?
set -e
t3=$(now)
[[ $code == 7 ]] || { echo "mamori exit $code (want 7: the two planted violations)"; exit 1; }
checked=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["totals"]["flows"]); assert len(r["violations"])==2, r["violations"]' "$work/report.json")
python3 - "$written" "$checked" "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
written, checked = int(sys.argv[1]), int(sys.argv[2])
t0, t1, t2, t3 = map(float, sys.argv[3:])
nf, mm = written / (t1 - t0), checked / (t3 - t2)
print(f"nfdump -o csv:          {written} flows in {t1 - t0:.2f} s = {nf:,.0f} flows/s")
print(f"mamori netcheck flows:  {checked} flows in {t3 - t2:.2f} s = {mm:,.0f} flows/s")
ratio = mm / nf
print(f"ratio mamori/nfdump: {ratio:.2f}x  aim >= 1x: {'PASS' if ratio >= 1 else 'MISS'}")
PY
