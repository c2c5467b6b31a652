#!/bin/bash
# Hostile names and files from local users and images, through the real
# `ctapp` CLI and generator, as root: nothing may block, forge a log line,
# or let one app take another's directory.
#   CTAPP=… CTAPP_GENERATOR=… hostile-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
ROOT=$(mktemp -d /tmp/ctapp-hostile.XXXXXX)
# Every app that may have run, also those whose .ctapp a test removed; and
# never rm -rf through a mount.
cleanup_all() {
  for app in $( (ls "$ROOT/etc/containers.d"; ls "$ROOT/run/ctapp") 2>/dev/null | sed 's/\.ctapp$//' | sort -u); do
    "$CTAPP" --root "$ROOT" cleanup "$app" >/dev/null 2>&1
  done
  findmnt -rn -o TARGET | grep -F "$ROOT/" | sort -r | xargs -r umount
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
  # Version directories carry the digest: the names meet only when the
  # image is the same one, here copied to tag 0 of another layout.
  skopeo copy --quiet "oci:$layout:1-0" "oci:$ROOT/images-same:0" || fail "skopeo copy"
  printf 'image = "oci:%s:0"\n' "$ROOT/images-same" > "$ROOT/etc/containers.d/web-1.ctapp"
  ctapp prepare web || fail "prepare web"
  local out status
  out=$(ctapp prepare web-1 2>&1); status=$?
  assert_eq 1 "$status" "web-1 (tag 0) must not use web's (tag 1-0) directory"
  local dir
  dir=$(version_dir web 1-0)
  assert_contains "$out" "$dir' is the directory of app 'web' version '1-0'; app 'web-1' version '0' would share it" "the error names both apps"
  assert_eq "$(printf 'app web\nversion 1-0')" "$(cat "$dir/owner")" "web still owns it"
  ctapp cleanup web || fail "cleanup web"
  ctapp prepare web || fail "web still prepares"
  ctapp cleanup web
  rm -f "$ROOT/etc/containers.d/web.ctapp" "$ROOT/etc/containers.d/web-1.ctapp"
}

json_field() {  # FILE PYTHON-EXPRESSION-ON-c
  python3 -c "import json,sys; c=json.load(open(sys.argv[1])); print($2)" "$1"
}

test_seccomp_is_never_silently_absent() {
  printf 'image = "oci:%s:0"\n[run]\nseccomp_profile = "/nonexistent/seccomp.json"\n' "$layout" \
    > "$ROOT/etc/containers.d/sec.ctapp"
  local out status
  out=$(ctapp prepare sec 2>&1); status=$?
  assert_eq 1 "$status" "a missing profile fails prepare"
  assert_contains "$out" "no seccomp profile for app 'sec': '/nonexistent/seccomp.json' does not exist; or set [run] seccomp_profile = \"unconfined\"" "the error says what to do"
  printf 'image = "oci:%s:0"\n' "$layout" > "$ROOT/etc/containers.d/sec.ctapp"
  ctapp prepare sec || fail "prepare with the default profile"
  assert_eq "SCMP_ACT_ERRNO" "$(json_field "$(version_dir sec 0)/config.json" 'c["linux"]["seccomp"]["defaultAction"]')" "containers-common's profile is in config.json"
  ctapp cleanup sec
  printf 'image = "oci:%s:0"\n[run]\nseccomp_profile = "unconfined"\n' "$layout" > "$ROOT/etc/containers.d/sec.ctapp"
  ctapp prepare sec || fail "prepare unconfined"
  assert_eq "False" "$(json_field "$(version_dir sec 0)/config.json" '"seccomp" in c["linux"]')" "unconfined is asked for, explicitly"
  ctapp cleanup sec
  rm -f "$ROOT/etc/containers.d/sec.ctapp"
}

test_image_labels_cannot_configure_the_runtime() {
  umoci config --image "$layout:0" --tag labelled --config.label run.oci.keep_original_groups=1 \
    --config.label org.opencontainers.image.title=box --config.label io.containerd.x=y >/dev/null \
    || { fail "umoci config"; return; }
  printf 'image = "oci:%s:labelled"\n' "$layout" > "$ROOT/etc/containers.d/lab.ctapp"
  ctapp prepare lab || fail "prepare"
  assert_eq "[('org.ctapp.app', 'lab'), ('org.opencontainers.image.title', 'box')]" \
    "$(json_field "$(version_dir lab labelled)/config.json" 'sorted(c["annotations"].items())')" "only image-spec labels become annotations"
  ctapp cleanup lab
  rm -f "$ROOT/etc/containers.d/lab.ctapp"
}

test_every_command_answers_help() {
  local commands command out status
  commands=$("$CTAPP" --help | awk '/^Commands:/ {on=1; next} on && /^  / {print $1}')
  [ -n "$commands" ] || { fail "no commands in ctapp --help"; return; }
  for command in $commands; do
    out=$("$CTAPP" "$command" --help 2>&1); status=$?
    assert_eq 0 "$status" "ctapp $command --help exits 0"
    assert_contains "$out" "Usage: ctapp [--root DIR] $command " "ctapp $command --help shows its usage"
  done
}

test_an_image_that_cannot_be_had_leaves_no_directory() {
  printf 'image = "oci:%s:missing-tag"\n' "$layout" > "$ROOT/etc/containers.d/gone.ctapp"
  local out status
  out=$(ctapp prepare gone 2>&1); status=$?
  assert_eq 1 "$status" "prepare of a missing image fails"
  assert_eq "" "$(cd "$ROOT/opt/containers" && ls -d gone-* .ctapp-tmp/unpack-* 2>/dev/null)" "an empty version directory is left"
  rm -f "$ROOT/etc/containers.d/gone.ctapp"
}

run_tests
