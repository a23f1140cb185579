#!/usr/bin/env bash
# mamori's main job on the embedded default: load the 阪南市 profile, check
# every shipped profile, decide a demo batch of requests (printed in
# Japanese), then build a demo ledger on SQLite (a demo organization with
# its registers, requests and an incident, examples/demo-ledger.jsonl) and
# verify its audit log. (Issue 6 turns this into `mamori serve`.)
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

echo
echo "== 台帳（SQLite）: デモ組織 / the ledger on SQLite with a demo organization"
demo_db=build/demo/demo.db
rm -f "$demo_db" "$demo_db"-wal "$demo_db"-shm "$demo_db".audit-key "$demo_db".audit-key.pub \
  "$demo_db".checkpoints.jsonl
$mamori --db "$demo_db" init -p policies/hannan.toml
# Each line is one command and one transaction; only failures are shown.
$mamori --db "$demo_db" batch < examples/demo-ledger.jsonl | { grep '^failed' || true; }
echo
echo "-- 役割の割当て / who holds which role"
$mamori --db "$demo_db" org list roles
echo
echo "-- 情報資産台帳 / the asset register (a system takes the highest level of its data, 2.2(1)①)"
$mamori --db "$demo_db" register list asset | cut -f1-3,5,14
echo
echo "-- 申請 / permission requests"
$mamori --db "$demo_db" request list
echo
echo "-- インシデント / incidents"
$mamori --db "$demo_db" incident list
echo
echo "-- 監査ログの検証 / audit log verification"
$mamori --db "$demo_db" audit verify

echo
echo "== 無害化 / sanitization: a CSV from the internet side"
printf '氏名,金額\r\n"=HYPERLINK(""http://example.invalid"")",-5\r\n' > build/demo/from-internet.csv
$mamori sanitize build/demo/from-internet.csv -o build/demo/to-lgwan.csv -p policies/hannan.toml
echo "-- build/demo/to-lgwan.csv:"
cat build/demo/to-lgwan.csv
