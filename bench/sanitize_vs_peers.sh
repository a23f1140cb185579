#!/usr/bin/env bash
# mamori's 無害化 vs its peers on one corpus, in one run, on one core:
#   PDF    mamori-sanitize vs a bare qpdf rewrite (qpdf --object-streams=generate)
#          vs Ghostscript's rebuild (gs -sDEVICE=pdfwrite -dSAFER)
#   OOXML  mamori-sanitize vs mat2 (docx, xlsx, pptx)
#   images mamori-sanitize vs exiftool -all= (JPEG, PNG)
# One process per file for every tool: mamori's is mamori-sanitize, the
# program made for that (the same code as `mamori sanitize`, linking only the
# 無害化 library, so it starts like qpdf does rather than like the server). The outputs of mamori are checked
# (qpdf --check; zip + XML parse; image markers), and the refusals and
# failures of every tool are counted.
#
#   bench/sanitize_vs_peers.sh [MAMORI_SANITIZE]  (default build/release/src/cli/mamori-sanitize,
#                                            built with the release preset when missing)
#
# Environment: CPU (the core to pin to, default 0), SCALE (corpus size
# factor, default 1: about 150 MB), SEED (default 20261207), KINDS (default
# pdf,ooxml,image), JOBS (files measured at once, default 1; each process's
# CPU time is its own), TIMEOUT (wall seconds per process, then it is
# killed and counted as failed; default none). The corpus is made by bench/sanitize_corpus.py and cached
# in build/bench-corpus/ (files named by their SHA-256); per-file timings go
# to build/bench-corpus/results/. Exit 0 on MISS (it is a report); non-zero
# when something cannot run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-build/release/src/cli/mamori-sanitize}"
[[ "$bin" = /* ]] || bin="$root/$bin"
cpu="${CPU:-0}"
scale="${SCALE:-1}"
seed="${SEED:-20261207}"
kinds="${KINDS:-pdf,ooxml,image}"
jobs="${JOBS:-1}"
timeout="${TIMEOUT:-}"
corpus="$root/build/bench-corpus"

die() { echo "sanitize_vs_peers: $*" >&2; exit 2; }

for tool in qpdf gs mat2 exiftool groff python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps.sh bench)"
done
if [[ ! -x "$bin" ]]; then
  echo "building mamori-sanitize (release preset)..." >&2
  (cd "$root" && cmake --preset release >/dev/null &&
    cmake --build build/release -j2 --target mamori-sanitize) >&2 || die "could not build mamori-sanitize"
fi

python3 "$root/bench/sanitize_corpus.py" "$corpus" --seed "$seed" --scale "$scale" ||
  die "could not build the corpus"

pin=()
if command -v taskset >/dev/null && taskset -c "$cpu" true 2>/dev/null; then
  pin=(taskset -c "$cpu")
  where="one core (taskset -c $cpu)"
else
  where="unpinned (taskset not available)"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"${pin[@]}" python3 "$root/bench/sanitize_peers.py" "$bin" "$corpus" --kinds "$kinds" \
  --jobs "$jobs" ${timeout:+--timeout "$timeout"} --out "$corpus/results" >"$tmp/out" ||
  die "the runner failed"

ratio() { awk -v kind="$1" -v peer="$2" -v set="$3" '
  $1 == "RATIO" { k = ""; p = ""; s = ""; r = ""
    for (i = 2; i <= NF; i++) { split($i, kv, "=")
      if (kv[1] == "kind") k = kv[2]; else if (kv[1] == "peer") p = kv[2]
      else if (kv[1] == "set") s = kv[2]; else if (kv[1] == "ratio") r = kv[2] }
    if (k == kind && p == peer && s == set) { print r; exit } }' "$tmp/out"; }
verdict() {
  [[ -n "$1" ]] || { echo "-"; return; }
  if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; then echo PASS; else echo MISS; fi
}
fmt() { [[ -n "$1" ]] && printf '%.2fx' "$1" || echo "-"; }

echo "== mamori 無害化 vs peers: $(sed -n 1p "$corpus/MANIFEST" | sed 's/^# //'), $where, jobs=$jobs${timeout:+, timeout ${timeout}s}, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "   rates per CPU second of each tool's processes (one process per file); peak RSS = largest process"
grep -v -e '^RATIO' -e '^CHECK' -e '^SLOWEST' "$tmp/out"
echo
grep '^CHECK' "$tmp/out" | sed 's/^CHECK /mamori outputs checked: /'
grep '^SLOWEST' "$tmp/out" | sed 's/^SLOWEST /slowest vs qpdf: /' || true
echo
printf '%-62s %-10s %s\n' aim measured verdict
for kind in ${kinds//,/ }; do
  case "$kind" in
    pdf)
      for set in all both_ok large; do
        r="$(ratio pdf qpdf "$set")"
        printf '%-62s %-10s %s\n' "PDF: >= 0.7x the bare qpdf rewrite ($set files)" "$(fmt "$r")" "$(verdict "$r" 0.7)"
      done
      for set in all both_ok; do
        r="$(ratio pdf gs "$set")"
        printf '%-62s %-10s %s\n' "PDF: >= 5x Ghostscript pdfwrite ($set files)" "$(fmt "$r")" "$(verdict "$r" 5)"
      done
      errors="$(awk '$1 == "CHECK" && $2 == "kind=pdf" { split($5, kv, "="); print kv[2] }' "$tmp/out")"
      printf '%-62s %-10s %s\n' "PDF: every mamori output passes qpdf --check without errors" "$errors errors" \
        "$([[ "$errors" == 0 ]] && echo PASS || echo MISS)" ;;
    ooxml)
      r="$(ratio ooxml mat2 both_ok)"
      printf '%-62s %-10s %s\n' "OOXML: >= 5x mat2 (files both wrote)" "$(fmt "$r")" "$(verdict "$r" 5)"
      errors="$(awk '$1 == "CHECK" && $2 == "kind=ooxml" { split($5, kv, "="); print kv[2] }' "$tmp/out")"
      printf '%-62s %-10s %s\n' "OOXML: every mamori output opens (zip + every XML part)" "$errors errors" \
        "$([[ "$errors" == 0 ]] && echo PASS || echo MISS)" ;;
    image)
      r="$(ratio image exiftool both_ok)"
      printf '%-62s %-10s %s\n' "images: ratio to exiftool -all= (reported, no aim)" "$(fmt "$r")" "-" ;;
  esac
done
exit 0
