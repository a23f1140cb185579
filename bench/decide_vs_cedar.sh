#!/usr/bin/env bash
# mamori vs Cedar on the 阪南市 profile: the same request mix
# (bench/data/hannan_mix.jsonl) decided by mamori (bench/decide_bench) and by
# an equivalent Cedar policy set under Node (bench/cedar), on one core.
#
#   bench/decide_vs_cedar.sh [DECIDE_BENCH]    (default build/bench/bench/decide_bench)
#
# Environment: MAMORI_N (decisions per mode for mamori, default 1000000),
# CEDAR_N (for Cedar, default 20000), CPU (the core to pin to, default 0).
#
# Builds nothing except `npm ci --prefix bench/cedar` when node_modules is
# missing. Prints a table and PASS/MISS against the aims (throughput >= 100x
# Cedar-wasm, p99 < 5 us per decision, peak memory < 10 MB). It is a report:
# exit 0 on MISS; non-zero only when something could not run, or when Cedar's
# decisions disagree with mamori's (then the comparison would be meaningless).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-build/bench/bench/decide_bench}"
[[ "$bin" = /* ]] || bin="$root/$bin"
mamori_n="${MAMORI_N:-1000000}"
cedar_n="${CEDAR_N:-20000}"
cpu="${CPU:-0}"

die() { echo "decide_vs_cedar: $*" >&2; exit 2; }

[[ -x "$bin" ]] || die "no decide_bench at $bin; build it with:
  cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DMAMORI_TESTS=OFF -DMAMORI_BENCH=ON
  ninja -C build/bench decide_bench"
command -v node >/dev/null || die "node is not installed (Cedar runs under Node)"
if [[ ! -d "$root/bench/cedar/node_modules/@cedar-policy/cedar-wasm" ]]; then
  echo "installing @cedar-policy/cedar-wasm (npm ci --prefix bench/cedar)..." >&2
  npm ci --prefix "$root/bench/cedar" --no-audit --no-fund >&2 || die "npm ci failed"
fi

pin=()
if command -v taskset >/dev/null && taskset -c "$cpu" true 2>/dev/null; then
  pin=(taskset -c "$cpu")
  where="one core (taskset -c $cpu)"
else
  where="unpinned (taskset not available)"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== mamori: $bin --latency_only --latency_n=$mamori_n" >&2
"${pin[@]}" "$bin" --latency_only --latency_n="$mamori_n" \
  --decisions_out="$tmp/mamori_decisions.jsonl" >"$tmp/mamori.out" 2>"$tmp/mamori.err" ||
  { cat "$tmp/mamori.err" >&2; die "decide_bench failed"; }
echo "== cedar-wasm: node bench/cedar/bench.mjs --n $cedar_n" >&2
"${pin[@]}" node "$root/bench/cedar/bench.mjs" --expected "$tmp/mamori_decisions.jsonl" \
  --n "$cedar_n" >"$tmp/cedar.out" 2>"$tmp/cedar.err" ||
  { cat "$tmp/cedar.out" "$tmp/cedar.err" >&2; die "the Cedar benchmark failed"; }

grep -v -e '^RESULT' -e '^MEMORY' "$tmp/mamori.out"
grep -v -e '^RESULT' -e '^MEMORY' "$tmp/cedar.out"

# field FILE ENGINE MODE KEY: a value from a RESULT/MEMORY line.
field() {
  awk -v engine="$2" -v mode="$3" -v key="$4" '
    ($1 == "RESULT" || $1 == "MEMORY") {
      e = ""; m = ""; v = ""
      for (i = 2; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "engine") e = kv[2]
        else if (kv[1] == "mode") m = kv[2]
        else if (kv[1] == key) v = kv[2]
      }
      if (e == engine && (mode == "" || m == mode) && v != "") { print v; exit }
    }' "$1"
}

for mode in decide parse_decide; do
  for key in per_s p50_ns p99_ns p999_ns; do
    v="$(field "$tmp/mamori.out" mamori "$mode" "$key")"
    [[ -n "$v" ]] || die "decide_bench printed no $key for $mode"
    printf -v "m_${mode}_${key}" '%s' "$v"
    v="$(field "$tmp/cedar.out" cedar-wasm "$mode" "$key")"
    [[ -n "$v" ]] || die "bench.mjs printed no $key for $mode"
    printf -v "c_${mode}_${key}" '%s' "$v"
  done
done
for key in per_s p50_ns p99_ns p999_ns; do
  printf -v "m_parse_decide_json_${key}" '%s' "$(field "$tmp/mamori.out" mamori parse_decide_json "$key")"
done
m_peak_kb="$(field "$tmp/mamori.out" mamori "" peak_rss_kb)"
m_load_kb="$(field "$tmp/mamori.out" mamori "" rss_after_load_kb)"
m_heap="$(field "$tmp/mamori.out" mamori "" profile_heap_bytes)"
c_peak_kb="$(field "$tmp/cedar.out" cedar-wasm "" peak_rss_kb)"
[[ -n "$m_peak_kb" && -n "$c_peak_kb" ]] || die "no MEMORY line"
agree="$(grep -m1 '^cedar agrees' "$tmp/cedar.out" || true)"

# Units in ASCII ("us") so that printf's byte-counted widths line up.
ns() { awk -v v="$1" 'BEGIN { if (v >= 1e6) printf "%.2f ms", v / 1e6; else if (v >= 1e3) printf "%.2f us", v / 1e3; else printf "%d ns", v }'; }
num() { awk -v v="$1" 'BEGIN { s = sprintf("%.0f", v); o = ""; n = length(s); for (i = 1; i <= n; i++) { o = o substr(s, i, 1); if ((n - i) % 3 == 0 && i < n) o = o "," } print o }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a / b }'; }
# verdict A OP B: PASS when the number A OP the number B (OP: ge or lt).
verdict() {
  if awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN { exit !(op == "ge" ? a + 0 >= b + 0 : a + 0 < b + 0) }'; then
    echo PASS
  else
    echo MISS
  fi
}

r_decide="$(ratio "$m_decide_per_s" "$c_decide_per_s")"
r_parse="$(ratio "$m_parse_decide_per_s" "$c_parse_decide_per_s")"
peak_mb="$(awk -v k="$m_peak_kb" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')"

echo
echo "== mamori vs Cedar-wasm: 阪南市 profile, $(wc -l <"$root/bench/data/hannan_mix.jsonl") requests cycled, $where, $(date -u +%Y-%m-%dT%H:%MZ)"
[[ -n "$agree" ]] && echo "   $agree"
printf '%-10s %-18s %14s %10s %10s %10s\n' engine mode decisions/s p50 p99 p99.9
for mode in decide parse_decide parse_decide_json; do
  for engine in mamori cedar; do
    [[ "$engine" == cedar && "$mode" == parse_decide_json ]] && continue
    prefix="${engine:0:1}_${mode}"
    per_s="${prefix}_per_s"; p50="${prefix}_p50_ns"; p99="${prefix}_p99_ns"; p999="${prefix}_p999_ns"
    printf '%-10s %-18s %14s %10s %10s %10s\n' "$([[ $engine == cedar ]] && echo cedar-wasm || echo mamori)" \
      "$mode" "$(num "${!per_s}")" "$(ns "${!p50}")" "$(ns "${!p99}")" "$(ns "${!p999}")"
  done
done
echo "ratio mamori/cedar, decisions/s: decide ${r_decide}x, parse_decide ${r_parse}x"
echo "peak RSS: mamori ${m_peak_kb} KiB (${m_load_kb} KiB after loading; profile heap $(num "$m_heap") B), cedar-wasm under Node ${c_peak_kb} KiB"
echo
printf '%-58s %-12s %s\n' aim measured verdict \
  "throughput >= 100x Cedar-wasm (decide)" "${r_decide}x" "$(verdict "$r_decide" ge 100)" \
  "throughput >= 100x Cedar-wasm (parse_decide: JSON in)" "${r_parse}x" "$(verdict "$r_parse" ge 100)" \
  "p99 < 5 us per decision (decide)" "$(ns "$m_decide_p99_ns")" "$(verdict "$m_decide_p99_ns" lt 5000)" \
  "p99 < 5 us per decision (parse_decide)" "$(ns "$m_parse_decide_p99_ns")" "$(verdict "$m_parse_decide_p99_ns" lt 5000)" \
  "peak memory < 10 MB (decide_bench peak RSS, 1 MB = 1e6 B)" "${peak_mb} MB" "$(verdict "$((m_peak_kb * 1024))" lt 10000000)"
exit 0
