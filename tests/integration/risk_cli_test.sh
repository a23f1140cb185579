#!/usr/bin/env bash
# リスク分析 (9(2)) end to end through the mamori program on the demo
# organization, with the test profile that gives 阪南市's profile two threats
# (tests/data/policies/risk.toml): a computation refused for the wrong person
# and nothing stored, the register computed, an edit with a bad scale refused,
# a 受容 proposed by the section's manager, refused to the 統括 (not the CISO)
# and for an expiry too far, approved by the CISO, a high risk that cannot be
# accepted, and a chain that verifies at the end.
#   risk_cli_test.sh MAMORI ROOT
set -u
mamori=$(realpath "$1")
root=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/r.db
failures=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (got $3, expected $2)"; failures=$((failures + 1));
  else echo "ok: $1"; fi
}
m() { "$mamori" --db "$db" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
cd "$root" || exit 1

m init -p "$root/tests/data/policies/risk.toml" >/dev/null
m batch <"$root/examples/demo-ledger.jsonl" >/dev/null 2>&1
check "the demo batch" 0 $?

m assess risk compute --as m2 >/dev/null 2>"$work/err.txt"
check "a manager cannot compute every section" 3 $?
grep -q "actor" "$work/err.txt"
check "the refusal names the actor" 0 $?
check "nothing was stored" 0 "$(m --json assess risk list | json 'len(d)')"
m assess risk compute --as m2 --section kaigo >/dev/null 2>&1
check "nor another section" 3 $?

m --json assess risk compute --as m2 --section zeimu >"$work/compute.json"
check "税務課's manager computes 税務課" 0 $?
check "4 assets × 2 threats" 8 "$(json 'd["added"]' <"$work/compute.json")"
m --json assess risk list --asset d-zei >"$work/list.json"
risk=$(json '[r["id"] for r in d if r["threat_id"] == "earthquake"][0]' <"$work/list.json")
check "課税台帳データ (重要度Ａ) × 地震: 2 × 1 × 3 = medium" medium \
  "$(json '[r["level"] for r in d if r["threat_id"] == "earthquake"][0]' <"$work/list.json")"

m assess risk edit "$risk" --as m2 --threat 9 --reason "" >/dev/null 2>"$work/err.txt"
check "a threat of 9 and no reason are refused" 3 $?
grep -q "threat" "$work/err.txt" && grep -q "reason" "$work/err.txt"
check "the refusal names threat and reason" 0 $?

m assess risk treat "$risk" --as m2 --treatment accept >/dev/null
check "the manager proposes 受容" 0 $?
m assess risk accept "$risk" --as c1 --until "2027-01-01" --comment "次年度更新" >/dev/null 2>&1
check "the 統括 is not the CISO" 3 $?
m assess risk accept "$risk" --as x1 --until "2099-01-01" --comment "次年度更新" >/dev/null \
  2>"$work/err.txt"
check "an expiry past acceptance_max_days is refused" 3 $?
grep -q "until" "$work/err.txt"
check "the refusal names until" 0 $?
check "still proposed" proposed "$(m --json assess risk show "$risk" | json 'd["acceptance_status"]')"
until=$(python3 -c "import datetime; print(datetime.date.today() + datetime.timedelta(days=90))")
m --json assess risk accept "$risk" --as x1 --until "$until" --comment "次年度の更新で対応" \
  >"$work/accepted.json"
check "the CISO approves" 0 $?
check "approved" approved "$(json 'd["acceptance_status"]' <"$work/accepted.json")"
check "no acceptance has expired" 0 "$(m --json assess risk list --expired | json 'len(d)')"

m assess risk edit "$risk" --as m2 --threat 3 --vulnerability 3 --reason "耐震化前の庁舎" >/dev/null
check "an edit with a reason" 0 $?
check "the edit to high withdrew the acceptance" "" \
  "$(m --json assess risk show "$risk" | json 'd["acceptance_status"]')"
m assess risk treat "$risk" --as m2 --treatment accept >/dev/null 2>"$work/err.txt"
check "a high risk cannot be accepted" 3 $?
m assess risk treat "$risk" --as m2 --treatment reduce --plan "免震ラックへ移設" --residual low >/dev/null
check "it is reduced instead" 0 $?
m assess risk show "$risk" | grep -q "低減"
check "show says 低減" 0 $?
m audit verify >/dev/null
check "the audit chain verifies" 0 $?

[ "$failures" -eq 0 ] && echo "PASS" || echo "$failures failure(s)"
[ "$failures" -eq 0 ]
