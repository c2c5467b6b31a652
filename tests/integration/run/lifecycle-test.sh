#!/bin/bash
# prepare, run, cleanup through the real `ctapp` CLI, as root, with real
# runc and overlayfs, on images built offline. Usage (meson sets these):
#   CTAPP=… CTAPP_SUPERVISE=… lifecycle-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
export CTAPP_SUPERVISE
ROOT=$(mktemp -d /tmp/ctapp-lifecycle.XXXXXX)
listener_pid=""
cleanup_all() {
  for app in $(ls "$ROOT/etc/containers.d" 2>/dev/null | sed 's/\.ctapp$//'); do
    "$CTAPP" --root "$ROOT" cleanup "$app" >/dev/null 2>&1
  done
  [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
  rm -rf "$ROOT"
}
trap cleanup_all EXIT
require mkdir -p "$ROOT/etc/containers.d"
layout=$ROOT/images-in
require "$source_dir/tests/images/make-busybox-image.sh" "$layout" box sh >/dev/null
schema=/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema

ctapp() { "$CTAPP" --root "$ROOT" "$@"; }

write_app() {  # NAME BODY
  printf 'image = "oci:%s:box"\n%s\n' "$layout" "$2" > "$ROOT/etc/containers.d/$1.ctapp"
}

# A background `ctapp run --foreground NAME`; its pid in $run_pid.
start_app() {
  "$CTAPP" --root "$ROOT" run --foreground "$1" > "$ROOT/$1.log" 2>&1 &
  run_pid=$!
}

test_prepare_run_cleanup_leave_nothing_behind() {
  write_app web '[run]
command = ["sh", "-c", "exec httpd -f -p 127.0.0.1:18091 -h /etc"]
[service]
notify = "healthy"
ready = "tcp:18091"
stop_timeout = 1'
  ctapp prepare web || fail "prepare failed"
  assert_eq "600" "$(stat -c %a "$(version_dir web box)/config.json")" "config.json holds env: 0600"
  /usr/bin/python3 "$source_dir/tests/integration/bundle/validate-runtime-config.py" "$schema" \
    "$(version_dir web box)/config.json" || fail "config.json does not validate against the runtime-spec schema"
  ctapp cleanup web || fail "cleanup failed"
  start_app web
  wait_until 20 busybox wget -q -O /dev/null http://127.0.0.1:18091/passwd || fail "app never answered"
  assert_contains "$(ctapp list)" "web" "list shows the app"
  assert_contains "$(ctapp status web --json)" '"state": "running"' "status says running"
  assert_eq "web" "$(ctapp exec web hostname)" "exec runs inside the app"
  kill -TERM "$run_pid"; wait "$run_pid"
  assert_eq 0 "$?" "a requested stop is a clean exit"
  assert_eq "" "$(leftovers)" "nothing left after stop"
  [ ! -e "$ROOT/run/ctapp/web" ] || fail "runtime dir still there"
  ctapp cleanup web || fail "a second cleanup must succeed"
}

test_a_prepare_with_nothing_changed_leaves_config_json_alone() {
  write_app steady '[run]
command = ["true"]'
  ctapp prepare steady || fail "prepare failed"
  ctapp cleanup steady || fail "cleanup failed"
  config=$(version_dir steady box)/config.json
  # Backdated, so that a rewrite shows even within one clock tick.
  touch -d @1000 "$config"
  before=$(stat -c '%i %Y' "$config")
  # strace sees every file the prepare creates, renames or syncs: with
  # nothing changed, only the runtime directory in /run and lock files.
  # (LeakSanitizer cannot run under ptrace: off for this one command.)
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -o "$ROOT/prepare.strace" \
    -e trace=openat,openat2,rename,renameat2,mkdir,mkdirat,unlink,unlinkat,symlink,symlinkat,link,linkat,truncate,fsync,fdatasync,syncfs,sync,sync_file_range \
    "$CTAPP" --root "$ROOT" prepare steady || fail "second prepare failed"
  assert_eq "$before" "$(stat -c '%i %Y' "$config")" "an unchanged config.json keeps its inode and mtime"
  assert_eq "" "$(grep -E '(fsync|fdatasync|syncfs|sync|sync_file_range)\(' "$ROOT/prepare.strace")" \
    "a prepare with nothing changed syncs nothing"
  assert_eq "" "$(grep -vE 'O_RDONLY|= -1 E|"'"$ROOT"'/run/|\.(lock|run|setup)", O_RDWR\|O_CREAT' "$ROOT/prepare.strace")" \
    "a prepare with nothing changed writes nothing outside /run but lock files"
  ctapp cleanup steady || fail "cleanup failed"
  write_app steady '[run]
command = ["true"]
env = { CHANGED = "yes" }'
  ctapp prepare steady || fail "prepare after a change failed"
  [ "$before" != "$(stat -c '%i %Y' "$config")" ] || fail "a changed .ctapp did not rewrite config.json"
  assert_contains "$(cat "$config")" '"CHANGED=yes"' "the new config.json has the change"
  assert_eq "600" "$(stat -c %a "$config")" "still 0600"
  ctapp cleanup steady || fail "cleanup failed"
}

test_exit_status_of_the_container_is_the_apps() {
  write_app exiter '[run]
command = ["sh", "-c", "exit 3"]'
  ctapp run --foreground exiter >/dev/null 2>&1
  assert_eq 3 "$?" "exit status"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_volumes_persist_and_the_overlay_upper_is_discarded() {
  write_app counter '[run]
command = ["sh", "-c", "echo x >> /data/count; echo scratch > /scratch; wc -l < /data/count; ls /scratch"]'
  ctapp run --foreground counter >/dev/null 2>&1
  ctapp run --foreground counter >/dev/null 2>&1
  out=$(ctapp run --foreground counter 2>/dev/null)
  assert_contains "$out" "3" "the volume kept three runs' writes"
  assert_eq "3" "$(wc -l < "$ROOT/var/lib/ctapp/apps/counter/volumes/data/count")" "data lives in apps/NAME"
  [ ! -e "$(version_dir counter box)/rootfs/scratch" ] || fail "a write reached the image's rootfs"
  [ ! -e "$ROOT/run/ctapp/counter" ] || fail "the upper layer outlived the stop"
}

test_a_killed_supervisor_is_repaired_by_the_next_prepare() {
  write_app crashy '[run]
command = ["sleep", "300"]'
  start_app crashy
  wait_until 20 sh -c "runc --root '$ROOT/run/ctapp/runc' list -q | grep -qx crashy" || fail "never started"
  pkill -KILL -f -- "--id crashy --bundle $ROOT/" ; kill -KILL "$run_pid" 2>/dev/null; wait "$run_pid" 2>/dev/null
  # The container, its mount and state are still there: prepare must repair.
  ctapp prepare crashy || fail "prepare after a crash failed"
  assert_eq "" "$(runc --root "$ROOT/run/ctapp/runc" list -q)" "the stale container was deleted"
  assert_eq "1" "$(findmnt -rn -o TARGET | grep -cF "$ROOT/run/ctapp/crashy/rootfs")" "exactly one overlay"
  ctapp cleanup crashy
  assert_eq "" "$(leftovers)" "nothing left"
}

test_a_second_start_of_a_running_app_is_refused() {
  write_app once '[run]
command = ["sleep", "300"]
[service]
stop_timeout = 1'
  start_app once
  wait_until 20 sh -c "runc --root '$ROOT/run/ctapp/runc' list -q | grep -qx once" || fail "never started"
  out=$(ctapp prepare once 2>&1)
  assert_eq 1 "$?" "prepare of a running app fails"
  assert_contains "$out" "app 'once' is running: stop it first" "and says why"
  kill -TERM "$run_pid"; wait "$run_pid"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_two_apps_sharing_an_image_prepare_concurrently() {
  write_app twin-a '[run]
command = ["true"]'
  write_app twin-b '[run]
command = ["true"]'
  rm -rf "$ROOT/var/lib/ctapp/images"
  ctapp prepare twin-a & a=$!
  ctapp prepare twin-b & b=$!
  wait $a; ra=$?; wait $b; rb=$?
  assert_eq "0 0" "$ra $rb" "both prepares succeed"
  assert_eq 1 "$(grep -c '"org.opencontainers.image.ref.name"' "$ROOT/var/lib/ctapp/images/index.json")" "one image in the store"
  for app in twin-a twin-b; do
    [ -x "$(version_dir "$app" box)/rootfs/bin/busybox" ] || fail "$app's rootfs is incomplete"
    ctapp cleanup $app
  done
}

test_fifty_start_stop_cycles_leave_nothing_behind() {
  write_app cycler '[run]
command = ["true"]'
  local i
  for i in $(seq 50); do
    ctapp run --foreground cycler >/dev/null 2>&1 || { fail "cycle $i failed"; break; }
  done
  assert_eq "" "$(leftovers)" "no mounts, containers or supervisors after 50 cycles"
  assert_eq "" "$(ls "$ROOT/run/ctapp" | grep -v -e '^locks$' -e '^runc$')" "no runtime dirs"
}

test_a_readiness_probe_that_never_exits_fails_the_start_at_the_ready_timeout() {
  write_app hungprobe '[run]
command = ["sleep", "300"]
[service]
notify = "healthy"
ready = ["sleep", "1000"]
ready_timeout = "2s"
stop_timeout = 1'
  local started=$(date +%s)
  out=$(timeout 120 "$CTAPP" --root "$ROOT" run --foreground hungprobe 2>&1)
  assert_eq 1 "$?" "the start fails"
  assert_contains "$out" "app 'hungprobe' did not become ready within 2 s (command 'sleep 1000' was still running; killed it); stopped it" "and says why"
  [ $(( $(date +%s) - started )) -lt 60 ] || fail "took $(( $(date +%s) - started )) s"
  assert_eq "" "$(leftovers)" "nothing left"
  assert_eq "" "$(pgrep -f -- "--root $ROOT/run/ctapp/runc exec")" "no probe left"
}

test_foreground_signals_reach_the_app_and_sigint_stops_it_cleanly() {
  write_app signals '[run]
command = ["sh", "-c", "trap '"'"'echo usr1 >> /data/got'"'"' USR1; trap '"'"'echo term >> /data/got; exit 0'"'"' TERM; echo up > /data/up; while true; do sleep 0.05; done"]
[[volume]]
target = "/data"
[service]
stop_timeout = 5'
  local data=$ROOT/var/lib/ctapp/apps/signals/volumes/data
  rm -rf "$data"
  start_app signals
  wait_until 20 test -e "$data/up" || { fail "never started: $(cat "$ROOT/signals.log")"; return; }
  kill -USR1 "$run_pid"
  wait_until 10 grep -qx usr1 "$data/got" || fail "SIGUSR1 never reached the app"
  kill -0 "$run_pid" 2>/dev/null || fail "ctapp died of SIGUSR1"
  kill -INT "$run_pid"
  local code=0
  wait_until 20 sh -c "! kill -0 $run_pid 2>/dev/null" || fail "SIGINT did not stop the app"
  wait "$run_pid"; code=$?
  assert_eq 0 "$code" "a stop by SIGINT is a clean exit"
  assert_eq "usr1
term" "$(cat "$data/got")" "the app got SIGUSR1, then its stop signal"
  assert_contains "$(cat "$ROOT/signals.log")" "app 'signals' stopped" "and says so"
  assert_eq "" "$(leftovers)" "no mount, container or supervisor left"
  [ ! -e "$ROOT/run/ctapp/signals" ] || fail "runtime dir still there"
}

test_a_killed_foreground_ctapp_stops_its_app() {
  write_app orphan '[run]
command = ["sleep", "300"]
[service]
stop_timeout = 1'
  start_app orphan
  wait_until 20 sh -c "runc --root '$ROOT/run/ctapp/runc' list -q | grep -qx orphan" || { fail "never started"; return; }
  kill -KILL "$run_pid"; wait "$run_pid" 2>/dev/null
  # SIGKILL leaves ctapp no chance to pass anything on or clean up: the
  # supervisor must stop the app by itself; the next cleanup does the rest.
  wait_until 20 sh -c "! pgrep -f -- '--id [o]rphan --bundle $ROOT/'" || fail "the supervisor outlived ctapp"
  assert_eq "" "$(runc --root "$ROOT/run/ctapp/runc" list -f json | grep -o '"status":"running"')" "the app was stopped"
  ctapp cleanup orphan || fail "cleanup failed"
  assert_eq "" "$(leftovers)" "nothing left"
}

run_tests
