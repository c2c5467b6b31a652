. /vm/vm-lib.sh
# runtime = "crun": the app starts under crun (runc cannot see it), is
# ready, lives in the unit's cgroup, and stops leaving nothing behind.
cat > /etc/containers.d/crunny.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
command = ["sh", "-c", "echo crun app up; exec httpd -f -p 127.0.0.1:8088"]
runtime = "crun"
[service]
notify = "healthy"
ready = "tcp:8088"
stop_timeout = 15
[resources]
memory_max = "128M"
APP
systemctl daemon-reload
unit=ctapp@crunny.service
systemctl start $unit || die "start failed: $(journalctl -u $unit --no-pager | tail -8)"
assert_eq "active" "$(state_of $unit)" "state"
tcp_answers 8088 || die "active, but the app does not answer on 8088"
state=$(crun --root /run/ctapp/runc state crunny) || die "crun does not know the container"
assert_contains "$state" '"status": "running"' "crun's state of the container"
runc --root /run/ctapp/runc state crunny >/dev/null 2>&1 && die "runc knows the container: crun was not used"
pid=$(ctapp status crunny --json | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
[ -n "$pid" ] || die "ctapp status gives no pid: $(ctapp status crunny --json)"
assert_eq "0::$(systemctl show -P ControlGroup $unit)/container" "$(cat /proc/$pid/cgroup)" "the container's cgroup"
assert_eq "134217728" "$(cat /sys/fs/cgroup$(systemctl show -P ControlGroup $unit)/memory.max)" "memory.max of the unit"
systemctl stop $unit || die "stop failed: $(journalctl -u $unit --no-pager | tail -8)"
assert_eq "inactive" "$(state_of $unit)" "state after stop"
assert_eq "success" "$(systemctl show -P Result $unit)" "the stop's result"
assert_nothing_left crunny
rm -f /etc/containers.d/crunny.ctapp
systemctl daemon-reload
echo "crun ran the app: ready on 8088, in the unit's container cgroup, stopped cleanly"
