# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by every e2e case inside the guest. A case is a shell script that
# exits non-zero on the first failed assertion, saying what failed.
set -u

die() { echo "FAIL: $*"; exit 1; }
assert_eq() { [ "$1" = "$2" ] || die "$3: expected '$1', got '$2'"; }
assert_contains() { case "$1" in *"$2"*) ;; *) die "$3: '$2' not in: $1" ;; esac; }
assert_not_contains() { case "$1" in *"$2"*) die "$3: '$2' must not be in: $1" ;; *) ;; esac; }

# wait_until SECONDS COMMAND...: retries every 0.1 s, fails after SECONDS.
wait_until() {
  local tries=$(( $1 * 10 ))
  shift
  while ! "$@" >/dev/null 2>&1; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || return 1
    sleep 0.1
  done
}

state_of() { systemctl show -P ActiveState "$1"; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }

# What must be gone after an app stops: its overlay, runc state, runtime dir.
assert_nothing_left() {  # APP
  assert_eq "" "$(findmnt -rn -o TARGET | grep "/run/ctapp/$1" || true)" "no mount of $1 left"
  assert_eq "" "$(runc --root /run/ctapp/runc list -q 2>/dev/null | grep -x "$1" || true)" "no runc container $1 left"
  [ ! -e "/run/ctapp/$1" ] || die "/run/ctapp/$1 still exists"
  assert_eq "" "$(pgrep -f -- "--id $1 --bundle" || true)" "no supervisor of $1 left"
}

tcp_answers() { echo | busybox nc -w 1 127.0.0.1 "$1" >/dev/null 2>&1; }
