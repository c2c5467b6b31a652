#!/bin/bash
# The harness of the shell integration tests keeps them honest: a failure in
# a script's set-up fails the script, a failed test fails it, ONLY runs one
# test alone, and an ONLY that matches nothing is a failure, not a pass.
# Usage (meson): lib-test.sh SOURCE_DIR
set -u
lib=$1/tests/integration/lib.sh
work=$(mktemp -d /tmp/ctapp-lib-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # MESSAGE COMMAND...: COMMAND must succeed
  local message=$1
  shift
  if "$@"; then echo "ok: $message"; else echo "FAIL: $message"; failures=$((failures + 1)); fi
}

# script NAME BODY: a test script that sources lib.sh, then BODY, then run_tests.
script() {
  printf '#!/bin/bash\n. %q\n%s\nrun_tests\n' "$lib" "$2" > "$work/$1"
  chmod +x "$work/$1"
}
run() {  # NAME [ENV...]: its output in $out, its status in $status
  out=$(env "${@:2}" "$work/$1" 2>&1)
  status=$?
}

script setup-fail 'fail "registry did not start"
test_a() { :; }'
run setup-fail
check "a fail outside a test fails the script" [ "$status" -ne 0 ]
check "and says it was the set-up" grep -q "FAIL (set-up): registry did not start" <<<"$out"
check "and runs no test" grep -q "no test was run" <<<"$out"

script require-fail 'require false
touch '"$work"'/after-require
test_a() { :; }'
run require-fail
check "require ends the script with status 1" [ "$status" -eq 1 ]
check "with a FAIL line naming the command" grep -q "FAIL (set-up): 'false' exited with status 1" <<<"$out"
check "and nothing after it runs" [ ! -e "$work/after-require" ]

script require-ok 'require true
test_a() { assert_eq 1 1 "one"; }'
run require-ok
check "a passing require and test pass" [ "$status" -eq 0 ]
check "reporting the count" grep -q "1 passed, 0 failed" <<<"$out"

script test-fail 'test_a() { fail "broken"; }
test_b() { :; }'
run test-fail
check "a failed test fails the script" [ "$status" -ne 0 ]
check "blamed on that test" grep -q "FAIL (test_a): broken" <<<"$out"
check "the next test still runs and passes" grep -q "1 passed, 1 failed" <<<"$out"

script only 'test_a() { fail "a ran"; }
test_b() { :; }'
run only ONLY=test_b
check "ONLY runs the matching test alone" [ "$status" -eq 0 ]
check "and not the others" grep -q "1 passed, 0 failed" <<<"$out"
run only ONLY=test_nothing
check "an ONLY that matches nothing fails" [ "$status" -ne 0 ]
check "and says so" grep -q "no test ran" <<<"$out"

echo "$failures failed"
[ "$failures" -eq 0 ]
