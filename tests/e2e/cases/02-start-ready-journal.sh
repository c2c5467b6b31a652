. /e2e/guest-lib.sh
# notify = healthy: `systemctl start` returns only once the port answers (the
# app sleeps 2 s before it listens).
start=$(date +%s%N)
systemctl start ctapp@web.service || die "systemctl start failed: $(systemctl status ctapp@web --no-pager 2>&1 | tail -5)"
took=$(( ($(date +%s%N) - start) / 1000000 ))
tcp_answers 8081 || die "active, but the port does not answer: READY came too early"
[ "$took" -ge 2000 ] || die "start returned after $took ms, before the app could be ready"
assert_eq "active" "$(state_of ctapp@web.service)" "state"
assert_eq "running" "$(systemctl show -P SubState ctapp@web.service)" "sub-state"
# The container's own output is in the unit's journal.
wait_until 10 sh -c 'journalctl -u ctapp@web.service --no-pager | grep -q "web started"' ||
  die "the container's output is not in journalctl -u ctapp@web"
# The container lives in the unit's cgroup (Delegate=yes), not beside it.
pid=$(ctapp status web --json | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
assert_contains "$(cat /proc/$pid/cgroup)" "ctapp@web.service/container" "the container's cgroup"
echo "started in $took ms; journal and cgroup as expected"
