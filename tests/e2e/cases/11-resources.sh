. /e2e/guest-lib.sh
# [resources] keys reach the unit (as systemd reads them) and, where the
# guest's cgroup has the controllers, the cgroup the container lives in.
# Percentages go to systemd as written (CPUQuota=20% was once written as
# 20%%, which systemd ignores).
cat > /etc/containers.d/limited.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
command = ["sh", "-c", "echo limited up; exec sleep 1000000"]
[service]
stop_timeout = 1
[resources]
memory_max = "256M"
memory_high = "200M"
cpu_weight = 50
cpu_quota = "20%"
tasks_max = 64
APP
cat > /etc/containers.d/shares.ctapp <<'APP'
image = "oci:/srv/images:box"
[resources]
memory_max = "50%"
tasks_max = "10%"
APP
systemctl daemon-reload
unit=ctapp@limited.service
assert_eq "268435456" "$(systemctl show -P MemoryMax $unit)" "MemoryMax"
assert_eq "209715200" "$(systemctl show -P MemoryHigh $unit)" "MemoryHigh"
assert_eq "50" "$(systemctl show -P CPUWeight $unit)" "CPUWeight"
assert_eq "64" "$(systemctl show -P TasksMax $unit)" "TasksMax"
assert_eq "200ms" "$(systemctl show -P CPUQuotaPerSecUSec $unit)" "CPUQuota=20%"
total_memory=$(systemctl show -P MemoryMax ctapp@shares.service)
case "$total_memory" in ''|infinity|*[!0-9]*) die "MemoryMax=50% was not taken: '$total_memory'" ;; esac
tasks=$(systemctl show -P TasksMax ctapp@shares.service)
case "$tasks" in ''|infinity|*[!0-9]*) die "TasksMax=10% was not taken: '$tasks'" ;; esac
rm -f /etc/containers.d/shares.ctapp
systemctl start $unit || die "start failed: $(journalctl -u $unit --no-pager | tail -5)"
cgroup=/sys/fs/cgroup$(systemctl show -P ControlGroup $unit)
pid=$(ctapp status limited --json | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
assert_contains "$(cat /proc/$pid/cgroup)" "$(systemctl show -P ControlGroup $unit)/" "the container is below the unit's cgroup"
checked=""
for pair in memory.max=268435456 memory.high=209715200 cpu.weight=50 pids.max=64; do
  file=${pair%%=*}
  if [ -e "$cgroup/$file" ]; then
    assert_eq "${pair#*=}" "$(cat "$cgroup/$file")" "$file of the unit's cgroup"
    checked="$checked $file"
  else
    echo "note: no $file in $cgroup (controllers: $(cat "$cgroup/cgroup.controllers" 2>/dev/null))"
  fi
done
systemctl stop $unit || die "stop failed"
assert_nothing_left limited
echo "resources in the unit; in the cgroup:${checked:- none (no controllers here)}"
