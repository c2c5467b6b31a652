#!/bin/bash
# [health] with real runc and overlayfs, as root, through the real `ctapp`
# CLI: a check that passes and then fails (the test removes the file it
# reads) turns the app unhealthy, which STATUS=, the journal line and
# `ctapp status --json` show; the supervisor then acts per on_failure; a
# check that hangs is killed at its timeout.
# Usage (meson sets these): CTAPP=… CTAPP_SUPERVISE=… health-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
. "$source_dir/tests/integration/run/app-fixture.sh" health

# Every datagram sent to $ROOT/notify.sock, one per line, in $ROOT/notify.log.
start_notify_listener() {
  messages=$ROOT/notify.log
  rm -f "$ROOT/notify.sock"
  : > "$messages"
  /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as log:
    while True:
        log.write(s.recv(4096) + b"\n")
' "$ROOT/notify.sock" "$messages" &
  listener_pid=$!
  wait_until 10 test -S "$ROOT/notify.sock" || fail "the notify listener did not start"
}
stop_notify_listener() {
  kill "$listener_pid"; wait "$listener_pid" 2>/dev/null; listener_pid=""
}

# An app that sleeps, healthy while /data/ok exists; [health] keys as given.
# `ctapp run --foreground NAME` in the background, its pid in $run_pid,
# its output in $ROOT/NAME.log.
start_checked_app() {  # NAME HEALTH-KEYS
  printf 'image = "oci:%s:box"\n[run]\ncommand = ["sh", "-c", "touch /data/up; exec sleep 300"]\n[service]\nstop_timeout = 2\n[health]\n%s\n' \
    "$layout" "$2" > "$ROOT/etc/containers.d/$1.ctapp"
  local data
  data=$(volume "$1")
  mkdir -p "$data" && rm -f "$data/up" && touch "$data/ok"
  NOTIFY_SOCKET=$ROOT/notify.sock "$CTAPP" --root "$ROOT" run --foreground "$1" > "$ROOT/$1.log" 2>&1 &
  run_pid=$!
  run_pids+=("$run_pid")
  wait_until 20 test -e "$data/up" || fail "app '$1' did not start: $(cat "$ROOT/$1.log")"
}

health_field() {  # NAME FIELD: one field of `ctapp status --json NAME`'s health object
  ctapp status --json "$1" | python3 -c 'import json, sys; h = json.load(sys.stdin)["health"]; print("null" if h is None else h[sys.argv[1]])' "$2"
}
health_is() { [ "$(health_field "$1" status)" = "$2" ]; }

test_a_failing_check_turns_the_app_unhealthy_and_none_keeps_it_running() {
  start_notify_listener
  start_checked_app steady 'check = ["cat", "/data/ok"]
interval = "200ms"
retries = 2'
  wait_until 20 health_is steady healthy || { fail "never healthy: $(ctapp status steady; cat "$ROOT/steady.log")"; return; }
  assert_contains "$(cat "$messages")" "STATUS=healthy" "STATUS= says healthy"
  assert_contains "$(ctapp status steady)" "health:  healthy, last check 20" "the text status shows health"
  rm "$(volume steady)/ok"
  wait_until 20 health_is steady unhealthy || { fail "never unhealthy: $(ctapp status steady)"; return; }
  assert_contains "$(cat "$messages")" "STATUS=unhealthy: 2 failed checks: cat: can't open '/data/ok': No such file or directory" \
    "STATUS= names the streak and the check's last output"
  local json
  json=$(ctapp status --json steady)
  assert_contains "$json" '"last_output": "cat: can'"'"'t open '"'"'/data/ok'"'"': No such file or directory"' "--json: the last output"
  assert_contains "$json" '"last_check": "20' "--json: the last check's time"
  # Two more failed checks: still one journal line for the transition.
  wait_until 20 sh -c "[ \"\$('$CTAPP' --root '$ROOT' status --json steady | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"health\"][\"failing_streak\"])')\" -ge 4 ]" ||
    fail "the checks stopped: $(ctapp status steady)"
  assert_eq 1 "$(grep -c "app 'steady' is unhealthy" "$ROOT/steady.log")" "the transition is logged once"
  is_running steady || fail "on_failure = none stopped the app"
  touch "$(volume steady)/ok"
  wait_until 20 health_is steady healthy || fail "never healthy again: $(ctapp status steady)"
  assert_contains "$(cat "$ROOT/steady.log")" "app 'steady' is healthy" "the recovery is logged"
  kill -TERM "$run_pid"; wait "$run_pid"
  assert_eq 0 "$?" "a stop of an app with [health] is a clean exit"
  stop_notify_listener
}

test_on_failure_restart_stops_the_app_and_exits_with_failure() {
  start_checked_app restarter 'check = ["cat", "/data/ok"]
interval = "200ms"
retries = 2
on_failure = "restart"'
  wait_until 20 health_is restarter healthy || { fail "never healthy: $(cat "$ROOT/restarter.log")"; return; }
  rm "$(volume restarter)/ok"
  local status
  wait_until 30 grep -q "(on_failure = restart)" "$ROOT/restarter.log" || { fail "on_failure = restart did not stop the app: $(cat "$ROOT/restarter.log")"; return; }
  wait "$run_pid"; status=$?
  assert_eq 1 "$status" "ctapp run exits with failure, so that Restart= applies"
  assert_contains "$(cat "$ROOT/restarter.log")" "app 'restarter' was unhealthy: 2 failed checks: cat: can't open '/data/ok': No such file or directory; stopped it (on_failure = restart)" \
    "the reason is logged"
  is_running restarter && fail "the container still runs"
}

test_on_failure_kill_kills_the_app_and_exits_with_failure() {
  start_checked_app killed 'check = "tcp:9"
interval = "200ms"
retries = 1
start_period = "0"
on_failure = "kill"'
  local status
  wait_until 30 grep -q "(on_failure = kill)" "$ROOT/killed.log" || { fail "on_failure = kill did not kill the app: $(cat "$ROOT/killed.log")"; return; }
  wait "$run_pid"; status=$?
  assert_eq 1 "$status" "ctapp run exits with failure"
  assert_contains "$(cat "$ROOT/killed.log")" "app 'killed' was unhealthy: 1 failed check: tcp:9: no connection; killed it (on_failure = kill)" \
    "a tcp check that finds no listener fails, and the kill is logged"
}

test_a_hanging_check_is_killed_at_its_timeout() {
  start_checked_app hung 'check = ["sh", "-c", "echo $$ > /data/check.pid; exec sleep 300"]
interval = "1s"
timeout = "500ms"
retries = 1'
  wait_until 20 health_is hung unhealthy || { fail "never unhealthy: $(ctapp status hung)"; return; }
  assert_eq "command 'sh -c echo \$\$ > /data/check.pid; exec sleep 300' timed out after 0.5 s; killed" \
    "$(health_field hung last_output)" "the output says the check hung and was killed"
  local pid
  pid=$(cat "$(volume hung)/check.pid")
  # The hung check's process inside the container is gone too (bounded wait:
  # its end is asynchronous to the kill).
  wait_until 10 sh -c "! '$CTAPP' --root '$ROOT' exec hung kill -0 $pid" ||
    fail "the hung check (pid $pid in the container) still runs: $(ctapp exec hung ps)"
  kill -TERM "$run_pid"; wait "$run_pid"
}

test_check_reports_health_mistakes_located() {
  mkdir -p "$ROOT/check"
  printf 'image = "b"\n[health]\ncheck = ["true"]\non_failure = "restrat"\ninterval = "1ms"\n' > "$ROOT/check/bad.ctapp"
  local out
  out=$(ctapp check "$ROOT/check/bad.ctapp" 2>&1)
  assert_eq 1 "$?" "ctapp check fails"
  assert_contains "$out" "$ROOT/check/bad.ctapp:4:14: 'restrat' is not a valid on_failure, did you mean 'restart'? (one of none, kill, restart)" "on_failure, located, with a suggestion"
  assert_contains "$out" "$ROOT/check/bad.ctapp:5:12: interval is out of range" "a too short interval, located"
}

run_tests
left=$(leftovers)
[ -z "$left" ] || { echo "FAIL: left behind: $left"; exit 1; }
