. /vm/vm-lib.sh
# memory_max is enforced by the kernel on the app's unit: an app that
# allocates past it is OOM-killed inside its own unit, systemd records the
# result 'oom-kill' and restarts the unit per restart =; another app goes on.
cat > /etc/containers.d/hog.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
# busybox tail keeps a line without newlines in memory: 400 MiB of zeros.
command = ["sh", "-c", "echo hog allocating; trap 'exit 0' TERM; head -c 419430400 /dev/zero | busybox tail && echo hog survived; sleep 1000000 & wait"]
[service]
restart = "on-failure"
restart_sec = "3s"
stop_timeout = 15
[resources]
memory_max = "64M"
[systemd.Unit]
StartLimitBurst = 100
APP
cat > /etc/containers.d/steady.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
command = ["sh", "-c", "trap 'exit 0' TERM; echo steady up; sleep 1000000 & wait"]
[service]
stop_timeout = 15
APP
systemctl daemon-reload
hog=ctapp@hog.service
steady=ctapp@steady.service
assert_eq "67108864" "$(systemctl show -P MemoryMax $hog)" "MemoryMax of the unit"
systemctl start $steady || die "steady did not start: $(journalctl -u $steady --no-pager | tail -5)"
steady_pid=$(systemctl show -P MainPID $steady)
echo "steady is up; starting hog (OOMPolicy $(systemctl show -P OOMPolicy $hog), MemoryAccounting $(systemctl show -P MemoryAccounting $hog))"
systemctl start --no-block $hog
# Between the kill and the restart (restart_sec) the unit shows its result.
oom_result() {
  [ "$(systemctl show -P Result $hog)" = oom-kill ] && return 0
  events=$(cat "/sys/fs/cgroup$(systemctl show -P ControlGroup $hog)/memory.events" 2>/dev/null | tr '\n' ' ')
  echo "hog: $(systemctl show -p ActiveState -p SubState -p Result -p NRestarts $hog | tr '\n' ' ') memory.events: $events" >> /run/hog-trace
  return 1
}
# Near the limit the kernel reclaims (and refaults the app's own text) for
# a while before it kills: under emulation on a busy machine, minutes.
wait_for 300 oom_result ||
  die "no Result=oom-kill for $hog; its states: $(tail -4 /run/hog-trace)"
echo "hog: Result=oom-kill"
status=$(systemctl status $hog --no-pager 2>&1)
assert_contains "$status" "(Result: oom-kill)" "systemctl status of the killed app"
journal=$(journalctl -u $hog --no-pager)
assert_contains "$journal" "hog allocating" "the app ran"
assert_not_contains "$journal" "hog survived" "the allocation was stopped"
assert_contains "$journal" "killed by the OOM killer" "systemd's record of the kill"
# (systemd logs the result once ExecStopPost has run)
wait_for 60 sh -c "journalctl -u $hog --no-pager | grep -q \"Failed with result 'oom-kill'\"" ||
  die "no \"Failed with result 'oom-kill'\" for $hog in the journal"
# restart = "on-failure" counts an OOM kill: the unit comes back.
wait_for 60 sh -c "[ \"\$(systemctl show -P NRestarts $hog)\" -ge 1 ] && [ \"\$(systemctl show -P ActiveState $hog)\" = active ]" ||
  die "$hog was not restarted (NRestarts $(systemctl show -P NRestarts $hog), state '$(state_of $hog)')"
# The other app is untouched: same main process, still running.
assert_eq "active" "$(state_of $steady)" "the other app's state"
assert_eq "$steady_pid" "$(systemctl show -P MainPID $steady)" "the other app's main PID"
assert_eq "0" "$(systemctl show -P NRestarts $steady)" "the other app's restarts"
kernel_kills=$(dmesg 2>/dev/null | grep -c "Memory cgroup out of memory" || true)
systemctl stop $hog $steady
assert_nothing_left hog
assert_nothing_left steady
rm -f /etc/containers.d/hog.ctapp /etc/containers.d/steady.ctapp
systemctl daemon-reload
echo "OOM-killed at 64M (kernel reports: $kernel_kills memory-cgroup OOM), Result=oom-kill, restarted; the other app ran on"
