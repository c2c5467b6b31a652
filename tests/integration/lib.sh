# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the shell integration tests: assertions, bounded waits, a
# scratch root for `ctapp --root`, and the final "N passed, N failed" line.
# Tests are functions named test_*; run_tests runs them in the order they
# are written (only those matching the glob in $ONLY, if set: for a quick
# rerun while working on one). Each test sets up what it needs, so any one
# of them runs alone.
#
# Set-up (everything outside the test_* functions) goes through `require`,
# which ends the script at once with a "FAIL (set-up)" line; a `fail`
# outside a test also marks the set-up failed, and run_tests then runs
# nothing and fails. A broken set-up is never lost or blamed on a test.

set -u
passed=0
failed=0
current=""
case_failed=0
setup_failed=0

fail() {
  if [ -z "$current" ]; then
    echo "FAIL (set-up): $*"
    setup_failed=1
  else
    echo "    FAIL ($current): $*"
    case_failed=1
  fi
}

# require COMMAND...: a set-up step that must succeed; the script ends
# (through its EXIT trap) with status 1 if it does not.
require() {
  "$@" && return 0
  local status=$?
  # stderr: a set-up command's stdout is often sent to /dev/null
  echo "FAIL (set-up): '$*' exited with status $status" >&2
  exit 1
}

assert_eq() {  # EXPECTED ACTUAL MESSAGE
  [ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

assert_contains() {  # HAYSTACK NEEDLE MESSAGE
  case "$1" in *"$2"*) ;; *) fail "$3: '$2' not in: $1" ;; esac
}

assert_not_contains() {
  case "$1" in *"$2"*) fail "$3: '$2' must not be in: $1" ;; *) ;; esac
}

# wait_until SECONDS COMMAND...: runs COMMAND every 0.05 s until it
# succeeds; fails after SECONDS.
wait_until() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 ))
  shift
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s%N)" -gt "$deadline" ]; then return 1; fi
    sleep 0.05
  done
}

# Mounts, runc containers and processes under the scratch root: what a test
# must leave behind is nothing.
leftovers() {
  findmnt -rn -o TARGET | grep -F "$ROOT" || true
  [ -d "$ROOT/run/ctapp/runc" ] && runc --root "$ROOT/run/ctapp/runc" list -q || true
  pgrep -f -- "--state-root $ROOT/" || true
}

# The test_* functions in the order they are defined in the file.
list_test_functions() {
  local name
  shopt -s extdebug
  for name in $(declare -F | awk '{print $3}' | grep '^test_'); do
    declare -F "$name"
  done | sort -k2 -n | awk '{print $1}'
  shopt -u extdebug
}

run_tests() {
  local name
  if [ "$setup_failed" -ne 0 ]; then
    echo "set-up failed (see the FAIL lines above): no test was run"
    return 1
  fi
  for name in $(list_test_functions); do
    # shellcheck disable=SC2254
    case "$name" in ${ONLY:-*}) ;; *) continue ;; esac
    current=$name
    case_failed=0
    echo "--- $name"
    local started=$SECONDS
    "$name"
    if [ "$case_failed" -eq 0 ]; then
      passed=$((passed + 1)); echo "    ok ($((SECONDS - started)) s)"
    else
      failed=$((failed + 1))
    fi
  done
  echo "$passed passed, $failed failed"
  if [ "$((passed + failed))" -eq 0 ]; then
    echo "no test ran (ONLY='${ONLY:-}' matches none)"
    return 1
  fi
  [ "$failed" -eq 0 ]
}

# version_dir APP TAG: $ROOT/opt/containers/APP-TAG-DIGEST12[-uOFFSET], the
# version directory the app's record names for that tag (man ctapp,
# VERSIONS); a path that does not exist when there is none.
version_dir() {
  local dir
  dir=$(awk -v p="$1-$2-" 'index($1, p) == 1 { print $1; exit }' "$ROOT/var/lib/ctapp/versions/$1" 2>/dev/null)
  echo "$ROOT/opt/containers/${dir:-$1-$2-none}"
}
