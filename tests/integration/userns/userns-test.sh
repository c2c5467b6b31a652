#!/bin/bash
# User namespaces through the real `ctapp` CLI, as root, with real runc and
# overlayfs: the valkey-like image under user_namespace = "auto" (its
# entrypoint chowns /data and drops to 'redis'), ranges per app, restart and
# upgrade, explicit maps, and the errors a user can act on.
# Usage (meson sets these): CTAPP=… CTAPP_SUPERVISE=… userns-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
export CTAPP_SUPERVISE
ROOT=$(mktemp -d /tmp/ctapp-userns.XXXXXX)
# The app's root (a host id of its range) must be able to reach its rootfs
# and volumes below ROOT, as it can below / on a real machine.
chmod 755 "$ROOT"
# ROOT/run exists as on a machine: otherwise the first `runc --root
# ROOT/run/ctapp/runc list` below (racing ctapp's start) would create it
# 0700, and the app's root could not reach its rootfs under it.
mkdir -m 755 "$ROOT/run"
run_pids=()
cleanup_all() {
  for pid in "${run_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  for app in $(ls "$ROOT/etc/containers.d" 2>/dev/null | sed 's/\.ctapp$//'); do
    "$CTAPP" --root "$ROOT" cleanup "$app" >/dev/null 2>&1
  done
  [ -n "${KEEP_ROOT:-}" ] || rm -rf "$ROOT"
}
trap cleanup_all EXIT
require mkdir -p "$ROOT/etc/containers.d"
layout=$ROOT/images
require "$source_dir/tests/images/make-busybox-image.sh" "$layout" box sh >/dev/null
require "$source_dir/tests/images/make-valkey-like-image.sh" "$layout" valkey >/dev/null
# The "upgrade": the same software under another tag, with another config
# (so another manifest digest, unpacked into its own version directory).
require skopeo copy --quiet "oci:$layout:valkey" "oci:$layout:valkey2"
require umoci config --image "$layout:valkey2" --config.label=org.opencontainers.image.version=2 >/dev/null

ctapp() { "$CTAPP" --root "$ROOT" "$@"; }
first=$((0x70000000))
port=16390

write_kv() {  # TAG
  cat > "$ROOT/etc/containers.d/kv.ctapp" <<EOF
image = "oci:$layout:$1"
[run]
command = ["redis-server", "--protected-mode", "no", "--port", "$port", "--save", "", "--dir", "/data"]
user_namespace = "auto"
[service]
notify = "healthy"
ready = "tcp:$port"
stop_timeout = 5
EOF
}

redis() { printf '%s\r\n' "$*" | busybox nc -w 2 127.0.0.1 "$port" 2>/dev/null | tr -d '\r'; }

start_kv() {
  "$CTAPP" --root "$ROOT" run --foreground kv > "$ROOT/kv.log" 2>&1 &
  kv_pid=$!
  run_pids+=("$kv_pid")
  # Our kv, not another test run's on the same port, must be the one
  # answering; a kv that could not start ends the wait at once.
  wait_until 60 sh -c "runc --root '$ROOT/run/ctapp/runc' list -q | grep -qx kv || ! kill -0 $kv_pid"
  if ! kill -0 "$kv_pid" 2>/dev/null || ! runc --root "$ROOT/run/ctapp/runc" list -q | grep -qx kv; then
    fail "kv never started: $(tail -5 "$ROOT/kv.log")"
    return 1
  fi
  wait_until 60 sh -c "[ \"\$(printf 'PING\r\n' | busybox nc -w 1 127.0.0.1 $port | tr -d '\r')\" = +PONG ]" ||
    { fail "kv never answered PING: $(tail -5 "$ROOT/kv.log")"; return 1; }
}

stop_kv() {
  kill -TERM "$kv_pid"; wait "$kv_pid"
  assert_eq 0 "$?" "kv stops cleanly"
  assert_eq "" "$(leftovers)" "nothing left after kv stopped"
}

# What the restart and upgrade tests start from: kv's range allocated and
# "greeting" saved in its volume (by the first test, or here when run alone).
ensure_kv_data() {
  [ -s "$ROOT/var/lib/ctapp/apps/kv/volumes/data/dump.rdb" ] && return
  write_kv valkey
  start_kv || return
  redis SET greeting hello >/dev/null
  assert_eq "+OK" "$(redis SAVE)" "SAVE for the following tests"
  stop_kv
}

# The second app's range comes after kv's: kv must have one first.
ensure_kv_range() {
  [ -e "$ROOT/var/lib/ctapp/userns/kv" ] && return
  write_kv valkey
  ctapp prepare kv >/dev/null 2>&1 || fail "prepare kv: $(ctapp prepare kv 2>&1 | tail -2)"
  ctapp cleanup kv >/dev/null 2>&1
}

write_other() {
  printf 'image = "oci:%s:box"\n[run]\ncommand = ["cat", "/proc/self/uid_map"]\nuser_namespace = "auto"\n' \
    "$layout" > "$ROOT/etc/containers.d/other.ctapp"
}

# Host uids of every process in the app's container.
container_uids() {  # APP
  local pid
  for pid in $(runc --root "$ROOT/run/ctapp/runc" ps --format json "$1" | tr -d '[]' | tr ',' ' '); do
    ps -o uid= -p "$pid"
  done | tr -d ' ' | sort -u
}

test_valkey_like_runs_as_root_inside_and_in_the_apps_range_outside() {
  write_kv valkey
  start_kv || return
  assert_eq "+OK" "$(redis SET greeting hello)" "SET"
  assert_eq "+OK" "$(redis SAVE)" "SAVE writes /data/dump.rdb"
  # The entrypoint ran as the namespace's root and dropped to 'redis' (100).
  assert_eq "$((first + 100))" "$(container_uids kv)" "every process of the app, seen from the machine"
  assert_eq "0 $first 65536" "$(ctapp exec kv cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')" \
    "the uid map inside"
  assert_eq "0" "$(ctapp exec kv id -u)" "exec runs as root inside"
  local data=$ROOT/var/lib/ctapp/apps/kv/volumes/data
  assert_eq "$((first + 100)):$((first + 101))" "$(stat -c %u:%g "$data/dump.rdb")" "the data the app wrote"
  assert_eq "$((first + 100))" "$(stat -c %u "$data")" "the volume the entrypoint chowned"
  assert_eq "$first:$first" "$(stat -c %u:%g "$(version_dir kv valkey)/rootfs/etc/passwd")" \
    "the unpacked rootfs is shifted"
  assert_eq "$first 65536" "$(cat "$ROOT/var/lib/ctapp/userns/kv")" "the range is recorded"
  assert_contains "$(ctapp status kv)" "ids:     $first-$((first + 65535)) on the machine" "status shows the range"
  assert_contains "$(ctapp status kv --json | tr -d ' \n')" "\"host_ids\":{\"count\":65536,\"start\":$first}" \
    "status --json too"
  assert_eq "0" "$(find "$(version_dir kv valkey)/rootfs" \( -uid -$((first - 1)) -o -gid -$((first - 1)) \) | wc -l)" \
    "no file of the rootfs is owned below the range"
  stop_kv
}

test_restart_keeps_the_range_and_the_data() {
  ensure_kv_data
  write_kv valkey
  start_kv || return
  assert_eq "hello" "$(redis GET greeting | tail -1)" "data after a restart"
  assert_eq "$((first + 100))" "$(container_uids kv)" "same range after a restart"
  stop_kv
}

test_upgrade_keeps_the_range_and_the_data() {
  ensure_kv_data
  write_kv valkey2
  start_kv || return
  assert_eq "hello" "$(redis GET greeting | tail -1)" "data after the upgrade"
  assert_eq "$((first + 100))" "$(container_uids kv)" "same range after the upgrade"
  assert_eq "$first:$first" "$(stat -c %u:%g "$(version_dir kv valkey2)/rootfs/etc/passwd")" \
    "the new version's rootfs is shifted into the same range"
  stop_kv
}

test_a_second_app_gets_a_disjoint_range() {
  ensure_kv_range
  write_other
  assert_eq "0 $((first + 65536)) 65536" "$(ctapp run --foreground other 2>/dev/null | tr -s ' ' | sed 's/^ //')" \
    "the second app's map"
  assert_eq "$first 65536" "$(cat "$ROOT/var/lib/ctapp/userns/kv")" "the first app's range did not move"
}

test_a_reinstalled_app_gets_its_range_back() {
  ensure_kv_range
  write_other
  ctapp run --foreground other >/dev/null 2>&1 || fail "other's first run failed"
  rm -rf "$(version_dir other box)" "$ROOT/var/lib/ctapp/versions/other" "$ROOT/var/lib/ctapp/apps/other"
  assert_eq "0 $((first + 65536)) 65536" "$(ctapp run --foreground other 2>/dev/null | tr -s ' ' | sed 's/^ //')" \
    "the map after a reinstall"
}

test_host_is_the_default_and_maps_everything() {
  printf 'image = "oci:%s:box"\n[run]\ncommand = ["cat", "/proc/self/uid_map"]\n' \
    "$layout" > "$ROOT/etc/containers.d/plain.ctapp"
  assert_eq "0 0 4294967295" "$(ctapp run --foreground plain 2>/dev/null | tr -s ' ' | sed 's/^ //')" \
    "no user namespace by default"
  assert_eq "0:0" "$(stat -c %u:%g "$(version_dir plain box)/rootfs/etc/passwd")" "an unshifted rootfs"
}

test_an_explicit_uid_map_is_used_as_given() {
  printf 'image = "oci:%s:box"\n[run]\ncommand = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; touch /data/mine"]\nuid_map = ["0:3000000:65536"]\n[network]\nmode = "none"\n' \
    "$layout" > "$ROOT/etc/containers.d/mapped.ctapp"
  local out
  out=$(ctapp run --foreground mapped 2>/dev/null | tr -s ' ' | sed 's/^ //')
  assert_eq "0 3000000 65536
0 3000000 65536" "$out" "uid and gid maps (gid_map defaults to uid_map)"
  # The image's /data belongs to nobody (65534).
  assert_eq "$((3000000 + 65534))" "$(stat -c %u "$ROOT/var/lib/ctapp/apps/mapped/volumes/data")" \
    "the volume is owned in the range as the image has it"
  assert_eq "3000000" "$(stat -c %u "$ROOT/var/lib/ctapp/apps/mapped/volumes/data/mine")" \
    "a file written by the app's root"
}

test_a_volume_owned_outside_the_range_is_refused_with_the_fix() {
  local dir=$ROOT/srv-data
  mkdir -p "$dir"
  printf 'image = "oci:%s:box"\n[run]\ncommand = ["touch", "/srv/ok"]\nuser_namespace = "auto"\n[[volume]]\ntarget = "/srv"\nsource = "%s"\n' \
    "$layout" "$dir" > "$ROOT/etc/containers.d/vol.ctapp"
  local out
  out=$(ctapp prepare vol 2>&1)
  assert_eq 1 "$?" "prepare fails"
  assert_contains "$out" "volume '$dir' is owned by uid 0, outside the app's id range" "the error names the volume"
  local fix
  fix=$(printf '%s\n' "$out" | sed -n "s/.*with '\(chown [^']*\)'.*/\1/p")
  assert_contains "$fix" "chown -R --from=0:0" "the error gives the command"
  $fix || fail "the suggested command failed: $fix"
  ctapp cleanup vol >/dev/null 2>&1
  ctapp run --foreground vol >/dev/null 2>&1
  assert_eq 0 "$?" "runs after the suggested chown"
  [ -e "$dir/ok" ] || fail "the app could not write its volume"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_an_image_id_beyond_65535_is_refused_naming_it() {
  local scratch=$ROOT/big-bundle
  skopeo copy --quiet "oci:$layout:box" "oci:$layout:big"
  umoci unpack --image "$layout:big" "$scratch" >/dev/null
  touch "$scratch/rootfs/etc/far"
  chown 70000:70000 "$scratch/rootfs/etc/far"
  umoci repack --image "$layout:big" "$scratch" >/dev/null
  rm -rf "$scratch"
  printf 'image = "oci:%s:big"\n[run]\nuser_namespace = "auto"\n' "$layout" > "$ROOT/etc/containers.d/big.ctapp"
  local out
  out=$(ctapp prepare big 2>&1)
  assert_eq 1 "$?" "prepare fails"
  assert_contains "$out" "entry 'etc/far': uid 70000 is beyond the 65536 ids (0-65535) that the app's user namespace maps" \
    "the error names the entry and the id"
  assert_eq "" "$(cd "$ROOT/opt/containers" && ls -d big-* .ctapp-tmp/unpack-* 2>/dev/null)" "a partial rootfs was left"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_a_rootfs_directory_cannot_take_a_user_namespace() {
  printf 'rootfs = "/srv/none"\n[run]\nuser_namespace = "auto"\n' > "$ROOT/etc/containers.d/dir.ctapp"
  local out
  out=$(ctapp prepare dir 2>&1)
  assert_eq 1 "$?" "prepare fails"
  assert_contains "$out" "a user namespace needs an image" "the error says why"
  [ ! -e "$ROOT/var/lib/ctapp/userns/dir" ] || fail "a range was allocated for an app that cannot use it"
}

run_tests
