#!/usr/bin/env bash
# `mamori sanitize` and the `mamori-sanitize` program are one code path:
# the same output bytes, report and exit codes for a file that is
# sanitized, one that is refused, a mail, bad arguments and a bad profile.
set -u
mamori=$1
single=$2
root=$3
failures=0
passes=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1 (got $3, expected $2)"
    failures=$((failures + 1))
  else
    echo "ok: $1"
    passes=$((passes + 1))
  fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus=$root/fuzz/corpus

both() {  # both NAME EXPECTED_EXIT ARGS... (OUT is $work/{a,b}.out; --json first)
  local name=$1 expected=$2 json=()
  shift 2
  if [ "$1" = --json ]; then json=(--json); shift; fi
  "$mamori" "${json[@]}" sanitize "${@/OUT/$work/a.out}" >"$work/a.txt" 2>"$work/a.err"
  check "mamori sanitize: $name" "$expected" $?
  "$single" "${json[@]}" "${@/OUT/$work/b.out}" >"$work/b.txt" 2>"$work/b.err"
  check "mamori-sanitize: $name" "$expected" $?
}

both "an active PDF is sanitized" 0 "$corpus/pdf_sanitizer/active.pdf" -o OUT
cmp -s "$work/a.out" "$work/b.out"
check "the same PDF bytes from both" 0 $?
cmp -s "$work/a.txt" "$work/b.txt"
check "the same summary from both" 0 $?
grep -q "無害化しました" "$work/b.txt"
check "the summary is in Japanese" 0 $?

rm -f "$work"/*.out
printf '\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0' >"$work/program.bin"
both "a program is refused" 6 "$work/program.bin" -o OUT
[ ! -e "$work/a.out" ] && [ ! -e "$work/b.out" ]
check "nothing is written for a refused file" 0 $?

both "a mail through --json" 0 --json "$corpus/mail_sanitizer/eucjp.eml" -o OUT
cmp -s "$work/a.txt" "$work/b.txt"
check "the same JSON report from both" 0 $?
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(r["detected_type"] != "mail")' "$work/b.txt"
check "the JSON report names the type" 0 $?
cmp -s "$work/a.out" "$work/b.out"
check "the same mail bytes from both" 0 $?

"$single" --mail "$corpus/pdf_sanitizer/active.pdf" -o "$work/c.out" >/dev/null 2>"$work/c.err"
check "mamori-sanitize --mail refuses a PDF as input" 3 $?
grep -q "電子メール（RFC 5322）ではありません" "$work/c.err"
check "and says why" 0 $?

both "a missing input is a usage error" 2 "$work/none.pdf" -o OUT
both "no -o is a usage error" 2 "$corpus/pdf_sanitizer/active.pdf"

printf '[sanitize]\nmail_method = "no_such_method"\n' >"$work/bad.toml"
both "a bad profile is invalid input" 3 "$corpus/pdf_sanitizer/active.pdf" -o OUT -p "$work/bad.toml"
grep -q "bad.toml" "$work/b.err"
check "the error names the profile" 0 $?

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
