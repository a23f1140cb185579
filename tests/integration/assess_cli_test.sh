#!/usr/bin/env bash
# 自己点検 end to end through the mamori program on the demo organization:
# a campaign refused for bad input and for the wrong person, a section's
# form answered, submitted, signed off and evaluated into a finding, the
# finding's owner refused as its verifier (1(3)), the roll-up, a probe, and a
# chain that verifies at the end.
#   assess_cli_test.sh MAMORI ROOT
set -u
mamori=$(realpath "$1")
root=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/a.db
failures=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (got $3, expected $2)"; failures=$((failures + 1));
  else echo "ok: $1"; fi
}
m() { "$mamori" --db "$db" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
cd "$root" || exit 1

m init -p "$root/policies/hannan.toml" >/dev/null
m batch <"$root/examples/demo-ledger.jsonl" >/dev/null 2>&1
check "the demo batch" 0 $?

# The current 年度 (April to March), as the program sees today.
year=$(date +%Y); month=$(date +%-m)
fy=$(( month >= 4 ? year : year - 1 ))

m assess campaign create --as c1 --fiscal-year "$fy" --title "自己点検" --section zeimu \
  --opens "$fy-10-01" --due "$fy-09-01" >/dev/null 2>"$work/err.txt"
check "a due date before the opening is refused" 3 $?
grep -q "due_on" "$work/err.txt"
check "the refusal names due_on" 0 $?
m assess campaign create --as m2 --fiscal-year "$fy" --title "自己点検" --section zeimu \
  --opens "$fy-04-01" --due "$((fy + 1))-03-31" >/dev/null 2>"$work/err.txt"
check "a manager cannot start a campaign" 3 $?
check "nothing was stored" 0 "$(m --json assess campaign list | json 'len(d)')"

m --json assess campaign create --as c1 --fiscal-year "$fy" --title "自己点検" --section zeimu \
  --section kaigo --opens "$fy-04-01" --due "$((fy + 1))-03-31" >"$work/campaign.json"
check "the 統括 starts the campaign" 0 $?
campaign=$(json 'd["id"]' <"$work/campaign.json")
check "three forms: the organization's, 税務課's, 介護保険課's" 3 \
  "$(json 'len(d["forms"])' <"$work/campaign.json")"
m --json assess campaign show "$campaign" >"$work/show.json"
form=$(json '[f["id"] for f in d["form_states"] if f["section"] == "zeimu"][0]' <"$work/show.json")
m --json assess form show "$form" >"$work/form.json"
checks=$(json '" ".join(i["check_id"] for i in d["items"])' <"$work/form.json")
first=${checks%% *}

m assess form answer "$form" --as l2 --check "$first" --answer はい >/dev/null 2>"$work/err.txt"
check "the liaison does not answer the manager's items" 3 $?
m assess form answer "$form" --as m2 --check "$first" --answer いいえ >/dev/null 2>"$work/err.txt"
check "いいえ without a basis is refused" 3 $?
grep -q "basis" "$work/err.txt"
check "the refusal names the basis" 0 $?
ok=0
for id in $checks; do
  prefill=$(json "[i['prefill'] for i in d['items'] if i['check_id'] == '$id'][0]" <"$work/form.json")
  if [ "$id" = "$first" ]; then
    m assess form answer "$form" --as m2 --check "$id" --answer いいえ --basis "未実施" \
      --correction-reason "台帳外で確認" >/dev/null || ok=1
  elif [ "$prefill" = "no" ]; then
    m assess form answer "$form" --as m2 --check "$id" --answer いいえ >/dev/null || ok=1
  else
    m assess form answer "$form" --as m2 --check "$id" --answer はい --basis "確認した" >/dev/null || ok=1
  fi
done
check "税務課's manager answers every item" 0 "$ok"
m --json assess form evaluate "$form" --as c1 >/dev/null 2>"$work/err.txt"
check "an open form cannot be evaluated" 3 $?
grep -q '"error":"conflict"' "$work/err.txt"
check "the refusal is a conflict" 0 $?
m assess form submit "$form" --as m2 >/dev/null && m assess form signoff "$form" --as m2 >/dev/null
check "submitted and signed off by 税務課's manager" 0 $?
m assess form evaluate "$form" --as m2 >/dev/null 2>&1
check "the manager does not evaluate (9(3)②)" 3 $?
m --json assess form evaluate "$form" --as c1 --comment "改善を求める" >"$work/evaluated.json"
check "the 統括 evaluates" 0 $?
finding=$(json 'd["findings"][0]' <"$work/evaluated.json")
m --json assess finding list --source self_inspection | json '[f["owner"] for f in d if f["id"] == '"$finding"'][0]' >"$work/owner.txt"
check "the いいえ became a finding owned by the manager" m2 "$(cat "$work/owner.txt")"

m assess finding update "$finding" --as m2 --status planned --plan "手順を整備" --due "$((fy + 1))-03-31" >/dev/null &&
  m assess finding update "$finding" --as m2 --status in_progress >/dev/null &&
  m assess finding update "$finding" --as m2 --status done --evidence "手順書" >/dev/null
check "the owner plans, works and finishes it" 0 $?
m assess finding verify "$finding" --as m2 --comment "確認" >/dev/null 2>"$work/err.txt"
check "the owner cannot verify" 3 $?
grep -q "兼務の禁止" "$work/err.txt"
check "the refusal cites 兼務の禁止" 0 $?
m assess finding verify "$finding" --as a1 --comment "手順書を確認" >/dev/null
check "an auditor verifies" 0 $?

m --json assess campaign rollup "$campaign" >"$work/rollup.json"
check "the roll-up" 0 $?
check "税務課 rolls up to いいえ" no \
  "$(json '[r["result"] for r in d["sections"] if r["code"] == "zeimu"][0]' <"$work/rollup.json")"
m --json assess probe run contract_clauses_checked --section zeimu >"$work/probe.json"
check "a probe runs" 0 $?
grep -q '"answer":"' "$work/probe.json"
check "the probe answers" 0 $?
m audit verify >/dev/null
check "the audit chain verifies" 0 $?

[ "$failures" -eq 0 ] && echo "PASS" || echo "$failures failure(s)"
[ "$failures" -eq 0 ]
