#!/bin/bash
# Hostile names and files from local users and images, through the real
# `ctapp` CLI and generator, as root: nothing may block, forge a log line,
# or let one app take another's directory.
#   CTAPP=… CTAPP_GENERATOR=… hostile-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
ROOT=$(mktemp -d /tmp/ctapp-hostile.XXXXXX)
cleanup_all() {
  for app in $(ls "$ROOT/etc/containers.d" 2>/dev/null | sed 's/\.ctapp$//'); do
    "$CTAPP" --root "$ROOT" cleanup "$app" >/dev/null 2>&1
  done
  rm -rf "$ROOT"
}
trap cleanup_all EXIT
mkdir -p "$ROOT/etc/containers.d"
layout=$ROOT/images-in
"$source_dir/tests/images/make-busybox-image.sh" "$layout" 1-0 sh >/dev/null || { echo "FAIL (set-up): busybox image"; exit 1; }
"$source_dir/tests/images/make-busybox-image.sh" "$layout" 0 sh >/dev/null || { echo "FAIL (set-up): busybox image"; exit 1; }

ctapp() { "$CTAPP" --root "$ROOT" "$@"; }

test_a_fifo_named_like_an_app_never_blocks() {
  mkfifo "$ROOT/etc/containers.d/pipe.ctapp"
  local out status
  out=$(timeout 10 "$CTAPP" check "$ROOT/etc/containers.d/pipe.ctapp" 2>&1); status=$?
  assert_eq 1 "$status" "ctapp check of a FIFO fails (124 = it blocked)"
  assert_contains "$out" "pipe.ctapp' is not a regular file" "check says why"
  out=$(timeout 10 "$CTAPP" --root "$ROOT" prepare pipe 2>&1); status=$?
  assert_eq 1 "$status" "prepare of a FIFO app fails (124 = it blocked)"
  assert_contains "$out" "is not a regular file" "prepare says why"
  local gen=$ROOT/gen
  mkdir -p "$gen"
  printf 'image = "oci:%s:0"\n' "$layout" > "$ROOT/etc/containers.d/fine.ctapp"
  out=$(CTAPP_CONFIG_PATH=$ROOT/etc/containers.d timeout 10 "$CTAPP_GENERATOR" "$gen" "$gen" "$gen" 2>&1); status=$?
  assert_eq 0 "$status" "the generator goes on past a FIFO (124 = it blocked the boot)"
  assert_contains "$out" "pipe.ctapp' is not a regular file" "the generator names the FIFO"
  [ -f "$gen/ctapp@fine.service.d/50-ctapp.conf" ] || fail "the good app next to the FIFO was not written"
  rm -f "$ROOT/etc/containers.d/pipe.ctapp" "$ROOT/etc/containers.d/fine.ctapp"
}

test_control_characters_in_names_never_forge_a_log_line() {
  local name out
  name=$(printf 'evil\n<3>ctapp: forged')
  out=$(ctapp status "$name" 2>&1)
  assert_eq 1 "$(printf '%s\n' "$out" | wc -l)" "one line for one error: $out"
  assert_contains "$out" 'evil\n<3>ctapp: forged' "the newline is shown escaped"
  out=$(ctapp "$(printf 'bad\rcommand')" 2>&1)
  assert_contains "$out" "unknown command 'bad\\x0dcommand'" "an unknown command is escaped"
  # Under systemd every line carries its priority; a name must not add one.
  out=$(JOURNAL_STREAM="$(stat -L -c '%d:%i' /proc/self/fd/2)" ctapp prepare "$name" 2>&1)
  assert_eq 1 "$(printf '%s\n' "$out" | wc -l)" "one journal line: $out"
}

test_an_ambiguous_bundle_name_is_refused_not_shared() {
  printf 'image = "oci:%s:1-0"\n' "$layout" > "$ROOT/etc/containers.d/web.ctapp"
  printf 'image = "oci:%s:0"\n' "$layout" > "$ROOT/etc/containers.d/web-1.ctapp"
  ctapp prepare web || fail "prepare web"
  local out status
  out=$(ctapp prepare web-1 2>&1); status=$?
  assert_eq 1 "$status" "web-1 (tag 0) must not use web's (tag 1-0) directory"
  assert_contains "$out" "opt/containers/web-1-0' is the directory of app 'web' version '1-0'; app 'web-1' version '0' would share it" "the error names both apps"
  assert_eq "$(printf 'app web\nversion 1-0')" "$(cat "$ROOT/opt/containers/web-1-0/owner")" "web still owns it"
  ctapp cleanup web || fail "cleanup web"
  ctapp prepare web || fail "web still prepares"
  ctapp cleanup web
  rm -f "$ROOT/etc/containers.d/web.ctapp" "$ROOT/etc/containers.d/web-1.ctapp"
}

run_tests
