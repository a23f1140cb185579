#!/usr/bin/env bash
# mamori's main job on the embedded default: `mamori serve` — the web UI and
# the HTTP API — over a demo organization on SQLite with the 阪南市 profile
# (departments, people and roles, assets, requests, an incident, training:
# examples/demo-ledger.jsonl). Prints the demo sign-ins (temporary passwords,
# to be changed at first sign-in) and serves http://127.0.0.1:8080/ until
# Ctrl+C. MAMORI_PORT and MAMORI_HOST change where it listens.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DMAMORI_TESTS=OFF -DMAMORI_BENCH=OFF >/dev/null
cmake --build build/demo --target mamori -j2
mamori=build/demo/src/cli/mamori

echo "== 画面のビルド / building the web UI (web/)"
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)

echo "== ポリシープロファイルの検証 / profile check"
$mamori policy check policies/*.toml

echo "== 台帳（SQLite）: デモ組織 / the ledger with a demo organization"
demo_db=build/demo/demo.db
rm -f "$demo_db" "$demo_db"-wal "$demo_db"-shm "$demo_db".audit-key "$demo_db".audit-key.pub \
  "$demo_db".checkpoints.jsonl
$mamori --db "$demo_db" init -p policies/hannan.toml
# Each line is one command and one transaction; only failures are shown.
$mamori --db "$demo_db" batch < examples/demo-ledger.jsonl | { grep '^failed' || true; }
$mamori --db "$demo_db" audit verify

echo
echo "== デモのサインイン / demo sign-ins (仮パスワード: 初回サインイン時に変更)"
echo "   c1 統括情報セキュリティ責任者, x1 CISO (二要素認証が必要 / TOTP required),"
echo "   m2 税務課長 (管理者), s1 税務課職員, k1 CSIRT, a1 監査人"
for person in c1 x1 m2 s1 k1 a1; do
  $mamori --db "$demo_db" account create "$person" --as c1
done
echo
echo "   住民等からの報告フォーム / residents' form: /public/report"
echo
exec $mamori --db "$demo_db" serve --host "${MAMORI_HOST:-127.0.0.1}" \
  --port "${MAMORI_PORT:-8080}" --web-root web/dist
