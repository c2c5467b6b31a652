. /vm/vm-lib.sh
# cpu_quota and tasks_max are enforced on the container: a busy loop gets
# about its quota of a CPU (from the unit's cpu.stat over a few seconds: a
# wide band, this is a behaviour check, not a benchmark), and a fork bomb
# stops at tasks_max while the unit survives and still stops cleanly.
cat > /etc/containers.d/spin.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
command = ["sh", "-c", "trap 'exit 0' TERM; echo spinning; while :; do :; done"]
[service]
# ExecStopPost (ctapp cleanup, runc delete) runs under the unit's quota too:
# under software emulation it needs more than 15 s at 20%.
stop_timeout = 90
[resources]
cpu_quota = "20%"
APP
cat > /etc/containers.d/bomb.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
# The inner shell forks until fork fails (and then exits); its children stay.
command = ["sh", "-c", "sh -c 'while :; do sleep 1000000 & done'; echo bomb stopped: $?; trap 'exit 0' TERM; sleep 1000000 & wait"]
[service]
stop_timeout = 15
[resources]
tasks_max = 24
APP
systemctl daemon-reload
spin=ctapp@spin.service
systemctl start $spin || die "spin did not start: $(journalctl -u $spin --no-pager | tail -5)"
cgroup=/sys/fs/cgroup$(systemctl show -P ControlGroup $spin)
assert_eq "20000 100000" "$(cat "$cgroup/cpu.max")" "cpu.max of the unit's cgroup"
usage() { sed -n 's/^usage_usec //p' "$cgroup/cpu.stat"; }
now_usec() { awk '{printf "%d\n", $1 * 1000000}' /proc/uptime; }
u0=$(usage); t0=$(now_usec)
sleep 5   # the measuring window
u1=$(usage); t1=$(now_usec)
percent=$(( (u1 - u0) * 100 / (t1 - t0) ))
echo "busy loop under cpu_quota 20%: ${percent}% of a CPU over $(( (t1 - t0) / 1000 )) ms"
[ "$percent" -ge 10 ] && [ "$percent" -le 35 ] || die "the busy loop used ${percent}% of a CPU, expected 10-35% (cpu_quota 20%)"
throttled=$(sed -n 's/^nr_throttled //p' "$cgroup/cpu.stat")
[ "$throttled" -gt 0 ] || die "cpu.stat shows no throttling: $(cat "$cgroup/cpu.stat")"
t0=$(now_usec)
systemctl stop $spin || die "spin did not stop: $(journalctl -u $spin --no-pager | tail -5)"
echo "stop and cleanup under the 20% quota took $(( ($(now_usec) - t0) / 1000 )) ms"
assert_nothing_left spin

bomb=ctapp@bomb.service
systemctl start $bomb || die "bomb did not start: $(journalctl -u $bomb --no-pager | tail -5)"
wait_for 60 sh -c "journalctl -u $bomb --no-pager | grep -q 'bomb stopped'" ||
  die "the fork bomb never stopped: $(journalctl -u $bomb --no-pager | tail -5)"
cgroup=/sys/fs/cgroup$(systemctl show -P ControlGroup $bomb)
assert_eq "24" "$(cat "$cgroup/pids.max")" "pids.max of the unit's cgroup"
current=$(cat "$cgroup/pids.current")
[ "$current" -le 24 ] || die "pids.current $current is above tasks_max 24"
# Linux 6.1 counts a refused fork in the forking task's cgroup.
hits=$(sed -n 's/^max //p' "$cgroup/container/pids.events")
[ "$hits" -gt 0 ] || die "pids.events of the container shows no fork refused: $(cat "$cgroup/container/pids.events")"
assert_contains "$(journalctl -u $bomb --no-pager)" "can't fork" "the shell's fork failure"
assert_eq "active" "$(state_of $bomb)" "the unit survives the fork bomb"
echo "fork bomb stopped at tasks_max 24 (pids.current $current, $hits forks refused); unit still active"
systemctl stop $bomb || die "stop of the bombed unit failed: $(journalctl -u $bomb --no-pager | tail -8)"
assert_eq "inactive" "$(state_of $bomb)" "state after stop"
assert_nothing_left bomb
rm -f /etc/containers.d/spin.ctapp /etc/containers.d/bomb.ctapp
systemctl daemon-reload
