#!/usr/bin/env bash
# Every test: the unit and integration suites built with warnings as errors
# and AddressSanitizer + UBSan, the storage-backed suites a second time on
# PostgreSQL (scripts/run-postgres-tests.sh), the browser end-to-end test of the web UI
# against `mamori serve` (screenshots in build/e2e-artifacts), then a short
# libFuzzer run of every fuzz target (clang). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/install-deps.sh test
jobs=2

echo "== build (ci preset: Debug, -Werror, ASan + UBSan)"
cmake --preset ci >/dev/null
cmake --build build/ci -j"$jobs"

echo "== tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/ci -j"$jobs" --output-on-failure

echo "== the ledger, auth and API suites again on PostgreSQL (a throw-away cluster)"
scripts/run-postgres-tests.sh build/ci

echo "== browser end-to-end (Debian's Chromium through playwright-core, tests/e2e)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ARTIFACTS="$root/build/e2e-artifacts" tests/e2e/run.sh build/ci/src/cli/mamori

echo "== fuzz smoke run (${MAMORI_FUZZ_SECONDS:=15} s per target)"
cmake --preset fuzz >/dev/null
fuzzers=(profile_loader request_parser csv_reader xlsx_reader api
  pdf_sanitizer ooxml_sanitizer rtf_sanitizer image_sanitizer archive_sanitizer mail_sanitizer
  iptables_parser nft_json_parser zones_parser fortigate_parser panos_parser rtx_parser
  nfdump_csv_parser zeek_conn_parser fortigate_log_parser panos_log_parser ipfix_collector)
cmake --build build/fuzz -j"$jobs" --target "${fuzzers[@]/%/_fuzzer}"
for target in "${fuzzers[@]}"; do
  work=$(mktemp -d)
  mkdir "$work/corpus"
  cp -r fuzz/corpus/"$target"/. "$work/corpus"/
  # -timeout: a single input slower than 10 s is a hang; -rss_limit_mb: a
  # blow-up; LeakSanitizer reports leaks. Any of them fails the run.
  if ! (cd "$work" && "$root"/build/fuzz/fuzz/"$target"_fuzzer \
        -max_total_time="$MAMORI_FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 corpus >"$work/log" 2>&1); then
    cat "$work/log"
    echo "fuzz: $target failed (crash, leak or hang); the input is in $work"
    exit 1
  fi
  echo "$target: $(grep -E '^(Done|#[0-9]+.*DONE)' "$work/log" | tail -n 1)"
  rm -rf "$work"
done
echo "fuzz: no crash, leak or hang"
