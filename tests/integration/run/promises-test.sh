#!/bin/bash
# What ctapp.ctapp(5) and ctapp(8) promise about a running app, each proven
# through the real `ctapp` CLI with real runc and overlayfs, as root: the
# [run] keys reaching the process, read-only roots and mounts, kept changes,
# stop signals, exit statuses, the command probe, the --json listings and
# `ctapp check`.
# Usage (meson sets these): CTAPP=… CTAPP_SUPERVISE=… promises-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
. "$source_dir/tests/integration/run/app-fixture.sh" promises
# The same image with a StopSignal in its config.
require skopeo copy --quiet "oci:$layout:box" "oci:$layout:usr2"
require umoci config --image "$layout:usr2" --config.stopsignal=SIGUSR2 >/dev/null

write_app() {  # NAME BODY [TAG]
  printf 'image = "oci:%s:%s"\n%s\n' "$layout" "${3:-box}" "$2" > "$ROOT/etc/containers.d/$1.ctapp"
}

# A background `ctapp run --foreground NAME`; its pid in $run_pid.
start_app() {
  "$CTAPP" --root "$ROOT" run --foreground "$1" > "$ROOT/$1.log" 2>&1 &
  run_pid=$!
  run_pids+=("$run_pid")
}

# ctapp run --foreground NAME: the app's stdout in $out, stderr (the app's
# and ctapp's) in $err, the status in $status.
run_app() {
  out=$(ctapp run --foreground "$1" 2> "$ROOT/stderr")
  status=$?
  err=$(cat "$ROOT/stderr")
}

test_env_and_env_files_reach_the_process() {
  printf 'FROM_FILE=from the file\nOVERRIDDEN=by the file\n# a comment\n' > "$ROOT/app.env"
  write_app envy "[run]
command = [\"sh\", \"-c\", \"echo \\\"file=\$FROM_FILE env=\$GREETING over=\$OVERRIDDEN\\\"\"]
env = { GREETING = \"hello world\", OVERRIDDEN = \"by env\" }
env_files = [\"$ROOT/app.env\"]"
  run_app envy
  assert_eq 0 "$status" "the app ran: $err"
  assert_contains "$out" "file=from the file env=hello world over=by env" \
    "env and env_files reach the process, env after env_files"
}

test_user_is_resolved_in_the_image() {
  write_app named '[run]
command = ["id"]
user = "nobody"'
  run_app named
  assert_contains "$out" "uid=65534(nobody) gid=65534(nogroup)" "user = name, from the image's /etc/passwd"
  write_app numeric '[run]
command = ["id"]
user = "1234:5678"'
  run_app numeric
  assert_contains "$out" "uid=1234 gid=5678" "user = uid:gid"
}

test_workdir_is_the_processes_working_directory() {
  write_app cwd '[run]
command = ["sh", "-c", "pwd"]
workdir = "/etc"'
  run_app cwd
  assert_eq "/etc" "$out" "workdir"
}

test_read_only_root_refuses_writes_but_volumes_and_tmpfs_take_them() {
  write_app ro '[run]
command = ["sh", "-c", "touch /newfile; echo root=$?; touch /data/ok; echo volume=$?; touch /scratch/ok; echo tmpfs=$?; grep \" /scratch \" /proc/mounts"]
read_only = true
tmpfs = ["/scratch"]'
  run_app ro
  assert_contains "$err" "touch: /newfile: Read-only file system" "the write to / says why it failed"
  assert_contains "$out" "root=1" "a write to the root fails"
  assert_contains "$out" "volume=0" "the volume takes writes"
  assert_contains "$out" "tmpfs=0" "the tmpfs takes writes"
  assert_contains "$out" "tmpfs /scratch tmpfs" "tmpfs = [\"/scratch\"] is a tmpfs"
}

test_tmpfs_is_a_tmpfs_and_empty_at_each_start() {
  write_app scratchy '[run]
command = ["sh", "-c", "grep \" /scratch \" /proc/mounts; ls /scratch; touch /scratch/left"]
tmpfs = ["/scratch"]'
  run_app scratchy
  run_app scratchy
  assert_contains "$out" "tmpfs /scratch tmpfs" "a tmpfs at /scratch"
  assert_not_contains "$out" "left" "nothing from the last start"
}

test_keep_changes_keeps_the_upper_layer_across_restarts() {
  write_app keeper '[run]
command = ["sh", "-c", "echo run >> /etc/kept; wc -l < /etc/kept"]
keep_changes = true'
  run_app keeper
  assert_eq "1" "$out" "first start"
  run_app keeper
  assert_eq "2" "$out" "the file written by the first start survived the restart"
  [ -e "$ROOT/var/lib/ctapp/apps/keeper/.overlay" ] || fail "no kept overlay in apps/keeper/.overlay"
  [ ! -e "$(version_dir keeper box)/rootfs/etc/kept" ] || fail "the write reached the image's rootfs"
}

test_read_only_volume_and_mount_refuse_writes() {
  mkdir -p "$ROOT/host-ro" "$ROOT/host-rw"
  echo original > "$ROOT/host-ro/file"
  write_app mounts "[run]
command = [\"sh\", \"-c\", \"touch /ro-volume/x; echo ro-volume=\$?; touch /rw-volume/x; echo rw-volume=\$?; touch /ro-mount/file; echo ro-mount=\$?; cat /ro-mount/file; touch /rw-mount/x; echo rw-mount=\$?\"]
[[volume]]
target = \"/ro-volume\"
read_only = true
[[volume]]
target = \"/rw-volume\"
[[mount]]
source = \"$ROOT/host-ro\"
target = \"/ro-mount\"
read_only = true
[[mount]]
source = \"$ROOT/host-rw\"
target = \"/rw-mount\""
  run_app mounts
  assert_contains "$out" "ro-volume=1" "a read_only volume refuses a write"
  assert_contains "$out" "rw-volume=0" "a volume takes writes by default"
  assert_contains "$out" "ro-mount=1" "a read_only mount refuses a write"
  assert_contains "$out" "original" "and still reads"
  assert_contains "$out" "rw-mount=0" "a mount takes writes by default"
  assert_eq "original" "$(cat "$ROOT/host-ro/file")" "the machine's file is unchanged"
  [ -e "$ROOT/host-rw/x" ] || fail "the write to the rw mount did not reach the machine"
}

# The app records the first of USR1, USR2, TERM it gets, and exits 0.
signal_recorder='["sh", "-c", "for s in USR1 USR2 TERM; do trap \"echo $s > /data/got; exit 0\" $s; done; touch /data/up; while true; do sleep 0.05; done"]'

stop_and_read_signal() {  # APP: stops it as systemd does (SIGTERM to ctapp run); $got
  rm -f "$(volume "$1")/got" "$(volume "$1")/up"
  start_app "$1"
  wait_until 20 test -e "$(volume "$1")/up" || { fail "$1 never started: $(cat "$ROOT/$1.log")"; return 1; }
  kill -TERM "$run_pid"
  wait "$run_pid"
  status=$?
  got=$(cat "$(volume "$1")/got" 2>/dev/null)
}

test_stop_signal_of_the_ctapp_file_reaches_the_app() {
  write_app stopper "[run]
command = $signal_recorder
stop_signal = \"SIGUSR1\"
[service]
stop_timeout = 5"
  stop_and_read_signal stopper || return
  assert_eq "USR1" "$got" "SIGTERM became the .ctapp's stop_signal"
  assert_eq 0 "$status" "a requested stop is a clean exit"
}

test_the_images_stop_signal_is_the_default() {
  write_app imagestop "[run]
command = $signal_recorder
[service]
stop_timeout = 5" usr2
  stop_and_read_signal imagestop || return
  assert_eq "USR2" "$got" "SIGTERM became the image's StopSignal"
  write_app overridden "[run]
command = $signal_recorder
stop_signal = \"SIGUSR1\"
[service]
stop_timeout = 5" usr2
  stop_and_read_signal overridden || return
  assert_eq "USR1" "$got" "the .ctapp's stop_signal wins over the image's"
}

test_run_exits_128_plus_the_signal_that_killed_the_app() {
  write_app victim '[run]
command = ["sh", "-c", "touch /data/up; exec sleep 300"]'
  rm -f "$(volume victim)/up"
  start_app victim
  wait_until 20 test -e "$(volume victim)/up" || { fail "never started: $(cat "$ROOT/victim.log")"; return; }
  # SIGKILL from outside: the app's init cannot ignore it.
  runc --root "$ROOT/run/ctapp/runc" kill victim KILL || fail "runc kill failed"
  wait "$run_pid"
  assert_eq 137 "$?" "ctapp run exits 128 + 9"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_list_and_ps_json_describe_every_app() {
  write_app listed '[run]
command = ["sh", "-c", "touch /data/up; exec sleep 300"]
[service]
stop_timeout = 1'
  write_app idle '[run]
command = ["true"]'
  rm -f "$(volume listed)/up"
  start_app listed
  wait_until 20 test -e "$(volume listed)/up" || { fail "never started: $(cat "$ROOT/listed.log")"; return; }
  local command json
  for command in list ps; do
    json=$(ctapp $command --json)
    assert_eq 0 "$?" "$command --json succeeds"
    out=$(printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
apps = json.load(sys.stdin)
assert isinstance(apps, list), "not a list"
keys = {"name", "source", "image", "state", "version", "image_digest", "pid", "addresses", "host_ids"}
by_name = {}
for app in apps:
    missing = keys - set(app)
    assert not missing, "%s: no %s" % (app.get("name"), sorted(missing))
    by_name[app["name"]] = app
running, idle = by_name["listed"], by_name["idle"]
assert running["state"] == "running", running
assert isinstance(running["pid"], int) and running["pid"] > 1, running
assert running["version"] == "box", running
assert running["image_digest"].startswith("sha256:"), running
assert running["source"].endswith("/etc/containers.d/listed.ctapp"), running
assert isinstance(running["addresses"], list), running
assert idle["pid"] is None and idle["state"] != "running", idle
print("shape ok")
' 2>&1)
    assert_eq "shape ok" "$out" "ctapp $command --json"
  done
  assert_eq "$(ctapp list --json)" "$(ctapp ps --json)" "ps is list"
  kill -TERM "$run_pid"; wait "$run_pid"
}

test_check_prints_every_error_located_and_exits_1() {
  mkdir -p "$ROOT/check"
  printf 'imgae = "busybox"\n[run]\ncomand = ["true"]\n' > "$ROOT/check/two-errors.ctapp"
  printf 'image = "busybox"\n' > "$ROOT/check/good.ctapp"
  out=$(ctapp check "$ROOT/check/good.ctapp" 2>&1)
  assert_eq "0 " "$? $out" "a good file: exit 0, nothing printed"
  out=$(ctapp check "$ROOT/check/good.ctapp" "$ROOT/check/two-errors.ctapp" 2>&1)
  assert_eq 1 "$?" "a bad file among good ones: exit 1"
  assert_contains "$out" "$ROOT/check/two-errors.ctapp:1:1: unknown key 'imgae'" "the first error, located"
  assert_contains "$out" "$ROOT/check/two-errors.ctapp:3:1: unknown key 'comand' in [run], did you mean 'command'?" \
    "the second error, located, with the suggestion"
  assert_not_contains "$out" "good.ctapp" "nothing about the good file"
}

# systemd's TimeoutStopSec= is stop_timeout too, and its timer starts first:
# the supervisor must send SIGKILL a margin earlier, or a container that
# ignores its stop signal ends in systemd's 'timeout' (a race e2e 03 lost).
test_the_supervisor_kills_before_systemds_stop_timeout() {
  write_app stubborn '[run]
command = ["sh", "-c", "touch /data/up; exec sleep 300"]
[service]
stop_timeout = "3s"'
  rm -f "$(volume stubborn)/up"
  start_app stubborn
  wait_until 20 test -e "$(volume stubborn)/up" || { fail "never started: $(cat "$ROOT/stubborn.log")"; return; }
  local args
  args=$(pgrep -a -f -- "--id stubborn --bundle $ROOT/")
  assert_contains "$args" "--kill-after-ms 2250 " "3 s less a quarter: $args"
  kill -TERM "$run_pid"; wait "$run_pid"
  assert_eq 0 "$?" "a stop that needed SIGKILL is still a clean exit"
}

# notify = "healthy" with a command probe: READY=1 reaches $NOTIFY_SOCKET only
# once the probe succeeds. Every probe attempt leaves a line in /data/probes.
test_the_ready_command_probe_gates_ready() {
  local socket=$ROOT/notify.sock messages=$ROOT/notify.log
  : > "$messages"
  /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as log:
    while True:
        log.write(s.recv(4096) + b"\n")
' "$socket" "$messages" &
  listener_pid=$!
  wait_until 10 test -S "$socket" || { fail "the notify listener did not start"; return; }
  write_app probed '[run]
command = ["sh", "-c", "while [ ! -e /data/go ]; do sleep 0.05; done; touch /data/healthy; exec sleep 300"]
[service]
notify = "healthy"
ready = ["sh", "-c", "echo attempt >> /data/probes; [ -e /data/healthy ]"]
stop_timeout = 1'
  local data
  data=$(volume probed)
  rm -f "$data/go" "$data/healthy" "$data/probes"
  NOTIFY_SOCKET=$socket start_app probed
  # Three failed attempts, or a (wrong) READY, whichever comes first.
  wait_until 20 sh -c "[ \$(cat '$data/probes' 2>/dev/null | wc -l) -ge 3 ] || grep -q READY=1 '$messages'" ||
    { fail "the probe never ran three times: $(cat "$ROOT/probed.log")"; return; }
  # Messages are in the log once sent: nothing said READY before three failed attempts.
  assert_contains "$(cat "$messages")" "STATUS=Waiting for" "the supervisor says what it waits for"
  assert_not_contains "$(cat "$messages")" "READY=1" "READY before the probe succeeded"
  touch "$data/go"
  wait_until 20 grep -q "READY=1" "$messages" || fail "no READY=1 after the probe succeeds: $(cat "$messages")"
  kill -TERM "$run_pid"; wait "$run_pid"
  kill "$listener_pid"; wait "$listener_pid" 2>/dev/null; listener_pid=""
}

# A started app that waits in `sleep`: its pid in $run_pid once /data/up exists.
# An app that waits until stopped. Its shell, the container's PID 1, traps
# SIGTERM: PID 1 ignores an untrapped one, and the stop would wait out
# stop_timeout (10 s) before SIGKILL.
start_sleeper() {  # NAME [BODY]
  write_app "$1" "[run]
command = [\"sh\", \"-c\", \"trap 'exit 0' TERM; touch /data/up; sleep 300 & wait\"]
${2:-}"
  rm -f "$(volume "$1")/up"
  start_app "$1"
  wait_until 20 test -e "$(volume "$1")/up" || fail "app '$1' did not start: $(cat "$ROOT/$1.log")"
}

test_exec_runs_as_user_with_env_in_workdir() {
  start_sleeper execy
  assert_eq "65534" "$(ctapp exec -u nobody execy id -u)" "-u NAME from the image's /etc/passwd"
  assert_eq "uid=1234 gid=5678" "$(ctapp exec -u 1234:5678 execy id)" "-u UID:GID"
  local env
  env=$(ctapp exec -e "GREETING=hello world" -e SECOND=2 execy env)
  assert_contains "$env" "GREETING=hello world" "-e reaches the environment"
  assert_contains "$env" "SECOND=2" "-e is repeatable"
  assert_contains "$env" "PATH=" "the container's own environment is kept"
  assert_eq "/etc" "$(ctapp exec -w /etc execy sh -c pwd)" "-w is the working directory"
  assert_eq "-u x" "$(ctapp exec execy echo -u x)" "words after NAME belong to the command"
  ctapp exec execy sh -c 'exit 7'
  assert_eq 7 "$?" "exec exits with the command's status"
  local err status
  err=$(ctapp exec -u nosuchuser execy id 2>&1); status=$?
  assert_eq 1 "$status" "an unknown user"
  assert_contains "$err" "nosuchuser" "the error names the user"
  err=$(ctapp exec -x execy id 2>&1); status=$?
  assert_eq 2 "$status" "an unknown option"
  assert_contains "$err" "exec: unknown option '-x'" "the error names the option"
  err=$(ctapp exec -e NOEQUALS execy id 2>&1); status=$?
  assert_eq 2 "$status" "-e without '='"
  assert_contains "$err" "-e 'NOEQUALS' is not NAME=VALUE" "the error says what -e takes"
  kill -TERM "$run_pid"; wait "$run_pid"
}

test_exec_hint_says_how_the_app_is_started() {
  write_app idle '[run]
command = ["true"]'
  local err status
  err=$(ctapp exec idle true 2>&1); status=$?
  assert_eq 1 "$status" "exec in an app that is not running"
  assert_contains "$err" "app 'idle' is not running: it has no systemd unit; start it with 'ctapp run --foreground idle'" \
    "without a unit: the foreground hint"
  mkdir -p "$ROOT/run/systemd/generator/ctapp@idle.service.d"
  err=$(ctapp exec idle true 2>&1); status=$?
  assert_eq 1 "$status" "exec in a unit's app that is not running, without systemd"
  assert_contains "$err" "app 'idle' is not running: systemd is not running here, so its unit ctapp@idle cannot start it; start it with 'ctapp run --foreground idle'" \
    "a generated unit but no systemd (no /run/systemd/system): the foreground fallback"
  mkdir -p "$ROOT/run/systemd/system"
  err=$(ctapp exec idle true 2>&1); status=$?
  rm -rf "$ROOT/run/systemd"
  assert_eq 1 "$status" "exec in a unit's app that is not running"
  assert_contains "$err" "app 'idle' is not running: start it with 'systemctl start ctapp@idle' ('systemctl status ctapp@idle' says why it stopped)" \
    "with a generated unit and systemd running: the systemctl hint"
}

test_reload_signal_reaches_the_containers_init() {
  write_app hupper '[run]
command = ["sh", "-c", "trap \"echo hup >> /data/reloads\" HUP; trap \"exit 0\" TERM; touch /data/up; while true; do sleep 0.1; done"]
[service]
reload = "signal:SIGHUP"'
  local data
  data=$(volume hupper)
  rm -f "$data/up" "$data/reloads"
  start_app hupper
  wait_until 20 test -e "$data/up" || { fail "app did not start: $(cat "$ROOT/hupper.log")"; return; }
  ctapp reload hupper
  assert_eq 0 "$?" "ctapp reload with a signal"
  wait_until 10 grep -qx hup "$data/reloads" || fail "the app's HUP trap never ran"
  is_running hupper || fail "the reload signal stopped the app"
  kill -TERM "$run_pid"; wait "$run_pid"
}

test_reload_command_runs_inside_with_its_status() {
  start_sleeper reloader '[service]
reload = ["sh", "-c", "hostname >> /data/reloaded; if [ -e /data/fail ]; then exit 3; fi"]'
  local data err status
  data=$(volume reloader)
  rm -f "$data/reloaded" "$data/fail"
  ctapp reload reloader
  assert_eq 0 "$?" "a reload command that succeeds"
  assert_eq "reloader" "$(cat "$data/reloaded" 2>/dev/null)" "the command ran inside the container"
  touch "$data/fail"
  err=$(ctapp reload reloader 2>&1); status=$?
  assert_eq 3 "$status" "ctapp reload exits with the command's status"
  assert_contains "$err" "reload of app 'reloader': 'sh -c hostname >> /data/reloaded; if [ -e /data/fail ]; then exit 3; fi' exited with status 3" \
    "a failed reload says so"
  kill -TERM "$run_pid"; wait "$run_pid"
  err=$(ctapp reload reloader 2>&1); status=$?
  assert_eq 1 "$status" "reload of a stopped app"
  assert_contains "$err" "reload: app 'reloader' is not running" "a stopped app cannot be reloaded"
  write_app plain '[run]
command = ["true"]'
  err=$(ctapp reload plain 2>&1); status=$?
  assert_eq 1 "$status" "reload of an app without reload"
  assert_contains "$err" "app 'plain' has no [service] reload: add reload = \"signal:SIGHUP\" (or a command) to $ROOT/etc/containers.d/plain.ctapp" \
    "the error says what to add"
}

# The file of CONTROLLER (v1: memory, pids) in the cgroup of process PID.
cgroup_file() {  # PID CONTROLLER FILE
  local path
  path=$(awk -F: -v c="$2" '$2 == c { print $3 }' "/proc/$1/cgroup")
  [ -n "$path" ] && echo "/sys/fs/cgroup/$2$path/$3"
}

test_foreground_applies_memory_max_and_tasks_max_itself() {
  [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/pids ] ||
    { fail "this test reads cgroup v1's memory and pids controllers: none at /sys/fs/cgroup"; return; }
  start_sleeper limited '[resources]
memory_max = "64M"
tasks_max = 32
cpu_quota = "50%"'
  local pid memory pids
  pid=$(runc --root "$ROOT/run/ctapp/runc" state limited | awk -F'[:,]' '/"pid"/ { gsub(/ /, "", $2); print $2 }')
  memory=$(cgroup_file "$pid" memory memory.limit_in_bytes)
  pids=$(cgroup_file "$pid" pids pids.max)
  assert_eq "67108864" "$(cat "$memory" 2>&1)" "memory_max = \"64M\" is the container's memory limit ($memory)"
  assert_eq "32" "$(cat "$pids" 2>&1)" "tasks_max = 32 is the container's pids limit ($pids)"
  kill -TERM "$run_pid"; wait "$run_pid"
}

test_prepare_for_a_unit_leaves_limits_to_systemd() {
  write_app unitlimited '[run]
command = ["true"]
[resources]
memory_max = "64M"
tasks_max = 32'
  ctapp prepare unitlimited || { fail "prepare failed"; return; }
  local config
  config=$(cat "$(version_dir unitlimited box)/config.json") || fail "no config.json"
  ctapp cleanup unitlimited
  assert_not_contains "$config" '"memory"' "MemoryMax= of the unit applies, not a runtime limit"
  assert_not_contains "$config" '"pids"' "TasksMax= of the unit applies, not a runtime limit"
}

test_a_foreground_limit_below_one_is_refused_with_a_reason() {
  write_app tiny '[run]
command = ["true"]
[resources]
memory_max = "0"'
  run_app tiny
  assert_eq 1 "$status" "an app with memory_max = 0 in the foreground"
  assert_contains "$err" "prepare of app 'tiny' failed: app 'tiny': [resources] memory_max '0' is less than one byte: the app could not run; raise it" \
    "the error says why"
}

# The [run] keys that shape config.json, read back from inside the container.
status_field() {  # FIELD: its value in the app's /proc/1/status (in $out)
  printf '%s\n' "$out" | sed -n "s/^$1:[[:space:]]*//p"
}

test_cap_add_and_cap_drop_are_the_apps_capabilities() {
  write_app capdefault '[run]
command = ["cat", "/proc/1/status"]'
  run_app capdefault
  assert_eq 0 "$status" "the app ran: $err"
  assert_eq "00000000a80425fb" "$(status_field CapEff)" "Docker's default set"
  write_app capadd '[run]
command = ["cat", "/proc/1/status"]
cap_add = ["net_admin"]
cap_drop = ["CAP_NET_RAW"]'
  run_app capadd
  # + NET_ADMIN (bit 12), - NET_RAW (bit 13)
  assert_eq "00000000a80415fb" "$(status_field CapEff)" "cap_add and cap_drop change the effective set"
  assert_eq "00000000a80415fb" "$(status_field CapBnd)" "and the bounding set"
  assert_eq "00000000a80415fb" "$(status_field CapPrm)" "and the permitted set"
  assert_eq "0000000000000000" "$(status_field CapInh)" "the inheritable set stays empty"
  assert_eq "0000000000000000" "$(status_field CapAmb)" "the ambient set stays empty"
  write_app caponly '[run]
command = ["cat", "/proc/1/status"]
cap_drop = ["ALL"]
cap_add = ["NET_BIND_SERVICE", "kill"]'
  run_app caponly
  # NET_BIND_SERVICE (bit 10) and KILL (bit 5) only
  assert_eq "0000000000000420" "$(status_field CapEff)" "cap_drop = ALL keeps only cap_add"
}

test_no_new_privileges_is_on_unless_turned_off() {
  write_app nnpdefault '[run]
command = ["cat", "/proc/1/status"]'
  run_app nnpdefault
  assert_eq "1" "$(status_field NoNewPrivs)" "no_new_privileges is on by default"
  write_app nnpoff '[run]
command = ["cat", "/proc/1/status"]
no_new_privileges = false'
  run_app nnpoff
  assert_eq "0" "$(status_field NoNewPrivs)" "no_new_privileges = false turns it off"
}

# Without init, `sleep` as PID 1 ignores SIGTERM and only the supervisor's
# SIGKILL (1 s before stop_timeout, at 29 s here) ends it; with init, tini passes
# SIGTERM on to it and it ends at once.
test_init_is_pid_1_and_stops_an_app_that_ignores_sigterm_at_once() {
  write_app tiny '[run]
command = ["sh", "-c", "cat /proc/1/cmdline | busybox tr \"\\0\" \" \" > /data/pid1; touch /data/up; exec sleep 1000"]
init = true
[service]
stop_timeout = 30'
  local data started elapsed
  data=$(volume tiny)
  rm -f "$data/up" "$data/pid1"
  start_app tiny
  wait_until 20 test -e "$data/up" || { fail "never started: $(cat "$ROOT/tiny.log")"; return; }
  assert_eq "/run/ctapp-init -g -- sh -c " "$(cut -c1-28 "$data/pid1")" "PID 1 is tini -g, the app after --"
  started=$(date +%s)
  kill -TERM "$run_pid"; wait "$run_pid"
  assert_eq 0 "$?" "a requested stop is a clean exit"
  elapsed=$(( $(date +%s) - started ))
  [ "$elapsed" -lt 15 ] || fail "the stop took ${elapsed}s: SIGTERM did not end sleep (SIGKILL comes at 29s)"
  assert_eq "" "$(leftovers)" "nothing left"
}

# init = true runs tini -g: the stop signal reaches the app's whole process
# group. Here the app's shell ignores SIGTERM and waits for a `sleep` of its
# group: without -g only the shell is signalled and the stop needs SIGKILL
# (at 29 s), which ends the shell in its wait; with -g the sleep ends, the
# shell's wait returns, and it writes /data/ended before it exits.
test_init_signals_the_apps_whole_process_group() {
  write_app grouped '[run]
command = ["sh", "-c", "trap \"\" TERM; (trap - TERM; exec sleep 1000) & touch /data/up; wait; echo group-signalled > /data/ended"]
init = true
[service]
stop_timeout = 30'
  local data
  data=$(volume grouped)
  rm -f "$data/up" "$data/ended"
  start_app grouped
  wait_until 20 test -e "$data/up" || { fail "never started: $(cat "$ROOT/grouped.log")"; return; }
  kill -TERM "$run_pid"; wait "$run_pid"
  assert_eq 0 "$?" "a requested stop is a clean exit"
  # Without -g the SIGKILL at 29 s ends the shell before it writes this.
  assert_eq "group-signalled" "$(cat "$data/ended" 2>/dev/null)" "the shell's wait returned: its child got SIGTERM"
}

test_sysctl_values_reach_the_apps_namespaces() {
  write_app tuned '[run]
command = ["cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start", "/proc/sys/kernel/msgmax"]
sysctl = { "net.ipv4.ip_unprivileged_port_start" = 80, "kernel.msgmax" = "16384" }
[network]
mode = "none"'
  run_app tuned
  assert_eq 0 "$status" "the app ran: $err"
  assert_eq "80 16384" "$(echo $out)" "net.* and kernel.msg* sysctls, inside"
  assert_eq 1024 "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" "the host's value is untouched"
}

# Only lowering: raising a hard limit above the caller's needs
# CAP_SYS_RESOURCE, which the test machine's root lacks.
test_ulimits_are_the_apps_rlimits() {
  write_app limited '[run]
command = ["sh", "-c", "echo $(ulimit -Sn) $(ulimit -Hn); grep \"Max core\" /proc/1/limits"]
ulimits = { nofile = "256:512", core = 0 }'
  run_app limited
  assert_eq 0 "$status" "the app ran: $err"
  assert_contains "$out" "256 512" "nofile soft and hard"
  assert_contains "$out" "$(printf 'Max core file size        0                    0')" "core = 0"
}

test_shm_size_and_tmpfs_size_and_mode_are_mounted() {
  write_app shm '[run]
command = ["grep", "-E", " /dev/shm | /cache | /scratch ", "/proc/mounts"]
shm_size = "128M"
tmpfs = ["/scratch", { path = "/cache", size = "8M", mode = "0700" }]'
  run_app shm
  assert_eq 0 "$status" "the app ran: $err"
  assert_contains "$out" "shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=131072k" "shm_size"
  assert_contains "$out" "tmpfs /cache tmpfs rw,nosuid,nodev,relatime,size=8192k,mode=700" "a sized tmpfs"
  assert_contains "$out" "tmpfs /scratch tmpfs rw,nosuid,nodev,relatime" "a plain tmpfs entry still works"
}

test_annotations_reach_config_json_and_runtime_keys_are_refused() {
  write_app annotated '[run]
command = ["true"]
annotations = { "com.example.team" = "cache" }'
  run_app annotated
  assert_eq 0 "$status" "the app ran: $err"
  local config
  config=$(cat "$(version_dir annotated box)/config.json") || fail "no config.json"
  assert_contains "$config" '"com.example.team": "cache"' "the annotation is in config.json"
  mkdir -p "$ROOT/check"
  printf 'image = "b"\n[run]\nannotations = { "run.oci.hooks" = "x" }\ncap_add = ["SYS_ADMN"]\nsysctl = { "kernel.pid_max" = 10 }\n' \
    > "$ROOT/check/keys.ctapp"
  out=$(ctapp check "$ROOT/check/keys.ctapp" 2>&1)
  assert_eq 1 "$?" "refused keys: exit 1"
  assert_contains "$out" "$ROOT/check/keys.ctapp:3:17: annotations: annotation 'run.oci.hooks': keys under 'run.oci.' configure the runtime" "run.oci.*, located"
  assert_contains "$out" "$ROOT/check/keys.ctapp:4:12: cap_add: 'SYS_ADMN' is not a capability, did you mean 'CAP_SYS_ADMIN'?" "a capability typo, located"
  assert_contains "$out" "$ROOT/check/keys.ctapp:5:12: sysctl 'kernel.pid_max' is not per container" "a machine-wide sysctl, located"
}

run_tests
