. /vm/vm-lib.sh
# The cgroup tree of an app: the container under ctapp@NAME.service/container,
# the supervisor (the unit's main process) beside it in .../supervisor, no
# process in the unit's cgroup itself (cgroup v2 allows processes only in
# leaves), and the unit's limits govern the container's sub-cgroup.
cat > /etc/containers.d/tree.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
command = ["sh", "-c", "trap 'exit 0' TERM; echo tree up; sleep 1000000 & sleep 1000000 & wait"]
[service]
stop_timeout = 15
[resources]
memory_max = "96M"
tasks_max = 40
cpu_weight = 50
APP
systemctl daemon-reload
unit=ctapp@tree.service
systemctl start $unit || die "start failed: $(journalctl -u $unit --no-pager | tail -8)"
group=$(systemctl show -P ControlGroup $unit)
cgroup=/sys/fs/cgroup$group
pid=$(ctapp status tree --json | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
[ -n "$pid" ] || die "ctapp status gives no pid"
assert_eq "0::$group/container" "$(cat /proc/$pid/cgroup)" "the container's init"
for p in $(cat "$cgroup/container/cgroup.procs"); do
  assert_eq "0::$group/container" "$(cat /proc/$p/cgroup)" "container process $p"
done
assert_eq "3" "$(wc -l < "$cgroup/container/cgroup.procs")" "processes in the container's cgroup"
main=$(systemctl show -P MainPID $unit)
assert_eq "0::$group/supervisor" "$(cat /proc/$main/cgroup)" "the supervisor (main PID $main)"
assert_eq "" "$(cat "$cgroup/cgroup.procs")" "processes directly in the unit's cgroup"
assert_eq "container supervisor" "$(cd "$cgroup" && find . -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | tr '\n' ' ' | sed 's/ $//')" "sub-cgroups of the unit"
# The unit's limits are on the unit's cgroup; the container's sub-cgroup has
# none of its own, so the unit's apply to it (the kernel enforces ancestors).
assert_eq "100663296" "$(cat "$cgroup/memory.max")" "memory.max of the unit"
assert_eq "40" "$(cat "$cgroup/pids.max")" "pids.max of the unit"
assert_eq "50" "$(cat "$cgroup/cpu.weight")" "cpu.weight of the unit"
assert_eq "max" "$(cat "$cgroup/container/memory.max")" "memory.max of the container's sub-cgroup"
for controller in memory pids cpu; do
  assert_contains " $(cat "$cgroup/cgroup.subtree_control") " " $controller " "controllers delegated to the container"
done
in_container=$(cat "$cgroup/container/pids.current")
in_unit=$(cat "$cgroup/pids.current")
[ "$in_unit" -ge "$in_container" ] && [ "$in_container" -ge 3 ] ||
  die "the container's $in_container tasks are not counted in the unit's $in_unit"
assert_eq "$(cat "$cgroup/container/memory.current" | awk '{print ($1 > 0)}')" "1" "the container's memory is accounted"
systemctl stop $unit || die "stop failed"
assert_nothing_left tree
rm -f /etc/containers.d/tree.ctapp
systemctl daemon-reload
echo "container in $group/container ($in_container of the unit's $in_unit tasks), supervisor in $group/supervisor"
