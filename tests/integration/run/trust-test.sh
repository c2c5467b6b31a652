#!/bin/bash
# What ctapp promises against a hostile image and other local users, through
# the real `ctapp` CLI as root with real runc and overlayfs: its trees are
# closed (a setuid-root file and a device node of the image are out of reach
# of an unprivileged user, also in trees an older ctapp left open), apps
# still run (also in a user namespace), and the hardening of config.json is
# in force inside a running container.
# Usage (meson sets these): CTAPP=… CTAPP_SUPERVISE=… trust-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
export CTAPP_SUPERVISE
ROOT=$(mktemp -d /tmp/ctapp-trust.XXXXXX)
# Open, as / is: only ctapp's own modes may keep other users out.
chmod 755 "$ROOT"
run_pids=()
cleanup_all() {
  for pid in "${run_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  for app in $(ls "$ROOT/etc/containers.d" 2>/dev/null | sed 's/\.ctapp$//'); do
    "$CTAPP" --root "$ROOT" cleanup "$app" >/dev/null 2>&1
  done
  rm -rf "$ROOT"
}
trap cleanup_all EXIT
mkdir -p "$ROOT/etc/containers.d"
layout=$ROOT/images-in
"$source_dir/tests/images/make-busybox-image.sh" "$layout" hostile sh >/dev/null
# The hostile part: a setuid-root copy of busybox, a device node anyone may
# open (/dev/null's numbers), and a world-writable image VOLUME.
scratch=$(mktemp -d)
umoci unpack --image "$layout:hostile" "$scratch/bundle" >/dev/null
mkdir -p "$scratch/bundle/rootfs/opt" "$scratch/bundle/rootfs/shared"
cp /bin/busybox "$scratch/bundle/rootfs/opt/suid" && chmod 4755 "$scratch/bundle/rootfs/opt/suid"
mknod -m 0666 "$scratch/bundle/rootfs/opt/null" c 1 3
chmod 0777 "$scratch/bundle/rootfs/shared"
umoci repack --image "$layout:hostile" "$scratch/bundle" >/dev/null
umoci config --image "$layout:hostile" --config.volume=/shared >/dev/null
rm -rf "$scratch"

ctapp() { "$CTAPP" --root "$ROOT" "$@"; }
# Runs a command line as nobody, from a shell (as a local user would).
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "$1"; }

write_app() {  # NAME BODY
  printf 'image = "oci:%s:hostile"\n%s\n' "$layout" "$2" > "$ROOT/etc/containers.d/$1.ctapp"
}
start_app() {
  "$CTAPP" --root "$ROOT" run --foreground "$1" > "$ROOT/$1.log" 2>&1 &
  run_pids+=($!)
  run_pid=$!
}
stop_app() {  # PID
  kill -TERM "$1"; wait "$1"
}
mode_of() { stat -c '%a %u:%g' "$1"; }

test_an_images_setuid_file_and_device_node_are_out_of_other_users_reach() {
  write_app hostile '[run]
command = ["httpd", "-f", "-p", "127.0.0.1:18095", "-h", "/etc"]
[service]
notify = "healthy"
ready = "tcp:18095"
stop_timeout = 1'
  # Trees as an older ctapp left them: open to everyone.
  local bundle
  mkdir -p "$ROOT/opt/containers" "$ROOT/var/lib/ctapp/apps/hostile" "$ROOT/var/lib/ctapp/images" \
    "$ROOT/var/lib/ctapp/versions" "$ROOT/run/ctapp/hostile"
  chmod -R 755 "$ROOT/opt" "$ROOT/var" "$ROOT/run"
  ctapp prepare hostile || { fail "prepare failed"; return; }
  bundle=$(version_dir hostile hostile)
  assert_eq "700 0:0" "$(mode_of "$ROOT/var/lib/ctapp/versions")" "the version records"
  assert_eq "600 0:0" "$(mode_of "$ROOT/var/lib/ctapp/versions/hostile")" "the app's version record"
  assert_eq "700 0:0" "$(mode_of "$ROOT/opt/containers/.ctapp-tmp")" "where versions are unpacked"
  assert_eq "711 0:0" "$(mode_of "$ROOT/opt/containers")" "/opt/containers"
  assert_eq "711 0:0" "$(mode_of "$ROOT/var/lib/ctapp")" "/var/lib/ctapp"
  assert_eq "711 0:0" "$(mode_of "$ROOT/var/lib/ctapp/apps")" "/var/lib/ctapp/apps"
  assert_eq "700 0:0" "$(mode_of "$ROOT/var/lib/ctapp/images")" "the image store"
  assert_eq "711 0:0" "$(mode_of "$ROOT/run/ctapp")" "/run/ctapp"
  assert_eq "700 0:0" "$(mode_of "$bundle")" "the app's version directory"
  assert_eq "700 0:0" "$(mode_of "$ROOT/var/lib/ctapp/apps/hostile")" "the app's data directory"
  assert_eq "700 0:0" "$(mode_of "$ROOT/run/ctapp/hostile")" "the app's runtime directory"
  # The image's files are there, as the image has them ...
  assert_eq "4755 0:0" "$(mode_of "$bundle/rootfs/opt/suid")" "the setuid file is unpacked"
  assert_eq "character special file" "$(stat -c %F "$bundle/rootfs/opt/null")" "the device node is unpacked"
  assert_eq "777 0:0" "$(mode_of "$ROOT/var/lib/ctapp/apps/hostile/volumes/shared")" "the volume keeps the image's mode"
  # ... and out of reach of an unprivileged user.
  out=$(as_nobody "'$bundle/rootfs/opt/suid' id -u" 2>&1)
  assert_eq 126 "$?" "nobody cannot run the image's setuid file"
  assert_contains "$out" "Permission denied" "EACCES"
  out=$(as_nobody "exec 3<>'$bundle/rootfs/opt/null'" 2>&1)
  [ -n "$out" ] || fail "nobody opened the image's device node"
  assert_contains "$out" "Permission denied" "EACCES on the device node"
  out=$(as_nobody "touch '$ROOT/var/lib/ctapp/apps/hostile/volumes/shared/x'" 2>&1)
  assert_contains "$out" "Permission denied" "nobody cannot write to the world-writable volume"
  out=$(as_nobody "ls '$ROOT/run/ctapp/hostile'" 2>&1)
  assert_contains "$out" "Permission denied" "nobody cannot look into the runtime directory"
  start_app hostile
  wait_until 30 busybox wget -q -O /dev/null http://127.0.0.1:18095/passwd || fail "the app never served: $(cat "$ROOT/hostile.log")"
  out=$(as_nobody "'$ROOT/run/ctapp/hostile/rootfs/opt/suid' id -u" 2>&1)
  assert_contains "$out" "Permission denied" "nor through the running app's overlay"
  stop_app "$run_pid"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_an_app_in_a_user_namespace_still_reaches_its_closed_trees() {
  write_app mapped '[run]
command = ["sh", "-c", "echo written > /shared/by-app; exec httpd -f -p 127.0.0.1:18096 -h /etc"]
user_namespace = "auto"
[service]
notify = "healthy"
ready = "tcp:18096"
stop_timeout = 1'
  ctapp prepare mapped || { fail "prepare failed"; return; }
  local first
  first=$(stat -c %u "$(version_dir mapped hostile)/rootfs")
  [ "$first" -gt 65535 ] || fail "the rootfs is not shifted (owner $first)"
  assert_eq "700 $first:$first" "$(mode_of "$(version_dir mapped hostile)")" "version directory owned by the app's root"
  assert_eq "700 $first:$first" "$(mode_of "$ROOT/var/lib/ctapp/apps/mapped")" "data directory owned by the app's root"
  assert_eq "700 $first:$first" "$(mode_of "$ROOT/run/ctapp/mapped")" "runtime directory owned by the app's root"
  ctapp cleanup mapped
  start_app mapped
  wait_until 30 busybox wget -q -O /dev/null http://127.0.0.1:18096/passwd || fail "the app never served: $(cat "$ROOT/mapped.log")"
  assert_eq "written" "$(cat "$ROOT/var/lib/ctapp/apps/mapped/volumes/shared/by-app" 2>&1)" "the app wrote to its volume"
  out=$(as_nobody "'$(version_dir mapped hostile)/rootfs/opt/suid' id -u" 2>&1)
  assert_contains "$out" "Permission denied" "the setuid file is out of reach here too"
  stop_app "$run_pid"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_the_hardening_of_config_json_is_in_force_inside_the_container() {
  write_app hardened '[run]
command = ["sh", "-c", "cat /proc/1/status > /shared/status"]'
  ctapp run --foreground hardened > "$ROOT/hardened.log" 2>&1 || fail "run failed: $(cat "$ROOT/hardened.log")"
  local status
  status=$(cat "$ROOT/var/lib/ctapp/apps/hardened/volumes/shared/status")
  # Docker's default 14 capabilities: CHOWN DAC_OVERRIDE FOWNER FSETID KILL
  # SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD
  # AUDIT_WRITE SETFCAP.
  assert_eq "00000000a80425fb" "$(echo "$status" | awk '/^CapEff:/ {print $2}')" "CapEff"
  assert_eq "00000000a80425fb" "$(echo "$status" | awk '/^CapBnd:/ {print $2}')" "CapBnd"
  assert_eq "1" "$(echo "$status" | awk '/^NoNewPrivs:/ {print $2}')" "NoNewPrivs"
  assert_eq "2" "$(echo "$status" | awk '/^Seccomp:/ {print $2}')" "Seccomp (filter mode)"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_a_volume_source_ctapp_creates_is_never_world_writable() {
  write_app explicit "[run]
command = [\"true\"]
[[volume]]
target = \"/shared\"
source = \"$ROOT/srv/explicit\""
  ctapp prepare explicit || { fail "prepare failed"; return; }
  # The image's /shared is 0777; a host path outside ctapp's closed trees
  # gets it without write access for others.
  assert_eq "775 0:0" "$(mode_of "$ROOT/srv/explicit")" "the volume source ctapp created"
  ctapp cleanup explicit
}

run_tests
