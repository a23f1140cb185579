#!/usr/bin/env bash
# mamori's main job on the embedded default: load the 阪南市 profile, check
# every shipped profile, and decide a demo batch of requests, printing the
# decisions in Japanese. (Later issues turn this into `mamori serve`.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DMAMORI_TESTS=OFF -DMAMORI_BENCH=OFF >/dev/null
cmake --build build/demo --target mamori -j2
mamori=build/demo/src/cli/mamori

echo "== ポリシープロファイルの検証 / profile check"
$mamori policy check policies/*.toml
echo
echo "== 阪南市プロファイル（抜粋） / the 阪南市 profile (excerpt)"
$mamori policy show policies/hannan.toml | sed -n '1,40p'
echo
echo "== 申請の判定 / decisions for examples/hannan-demo.jsonl"
status=0
$mamori decide --profile policies/hannan.toml --format text < examples/hannan-demo.jsonl || status=$?
# 4 means "at least one request was denied": an expected outcome of the demo.
if [ "$status" -ne 0 ] && [ "$status" -ne 4 ]; then exit "$status"; fi
