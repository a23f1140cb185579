#!/usr/bin/env bash
# End-to-end test of the mamori program: the exit codes documented in
# docs/cli.md, every shipped profile passing `policy check`, and decide over
# JSON Lines from stdin.
set -u
mamori=$1
root=$2
failures=0
passes=0
check() {  # check NAME EXPECTED_EXIT ACTUAL_EXIT
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1 (exit $3, expected $2)"
    failures=$((failures + 1))
  else
    echo "ok: $1"
    passes=$((passes + 1))
  fi
}

"$mamori" policy check "$root"/policies/*.toml >/dev/null
check "all shipped profiles pass policy check" 0 $?

"$mamori" policy check "$root"/tests/data/policies/broken/unknown_key.toml 2>/tmp/mamori_cli_err.$$ >/dev/null
check "a broken profile fails policy check" 3 $?
grep -q 'unknown_key.toml:8: rules\[send.encrypt\].efect: 不明なキーです / unknown key' /tmp/mamori_cli_err.$$
check "the error names file:line:key in both languages" 0 $?
rm -f /tmp/mamori_cli_err.$$

"$mamori" policy show "$root"/policies/hannan.toml | grep -q '^# 阪南市'
check "policy show prints the summary" 0 $?

out=$(printf '%s\n' '{"actor":{"id":"u","roles":["staff"]},"action":"offsite_work"}' |
  "$mamori" decide --profile "$root"/policies/hannan.toml)
check "decide exits 0 for approval_required" 0 $?
case "$out" in
  '{"effect":"approval_required","approvals":[["manager"]]'*) check "decide writes the contract JSON" 0 0 ;;
  *) check "decide writes the contract JSON: $out" 0 1 ;;
esac

printf '%s\n' '{"actor":{"id":"u","roles":["staff"]},"action":"change_wiring"}' |
  "$mamori" decide --profile "$root"/policies/hannan.toml >/dev/null
check "decide exits 4 on a deny" 4 $?

printf '%s\n' '{"actor":{"id":"u","roles":["staff"]},"action":"nope"}' |
  "$mamori" decide --profile "$root"/policies/hannan.toml >/dev/null
check "decide exits 3 on an invalid request" 3 $?

"$mamori" decide --profile "$root"/policies/hannan.toml --explain --format text \
  < "$root"/examples/hannan-demo.jsonl | grep -q '該当規則: take_out.permission'
check "demo batch decides with --explain" 0 $?

"$mamori" decide --bogus-flag </dev/null >/dev/null 2>&1
check "an unknown flag is a usage error" 2 $?

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
