. /e2e/guest-lib.sh
# The valkey case again, under systemd, in a user namespace: root inside
# (the entrypoint still chowns /data and drops to 'redis'), an unprivileged
# id of the app's own range on the machine.
cat > /etc/containers.d/valkey-ns.ctapp <<'APP'
image = "oci:/srv/images:valkey-like"
[run]
command = ["redis-server", "--protected-mode", "no", "--port", "6380", "--save", "", "--dir", "/data"]
user_namespace = "auto"
[service]
notify = "healthy"
ready = "tcp:6380"
ready_timeout = "60s"
APP
systemctl daemon-reload
redis() { printf '%s\r\n' "$@" | busybox nc -w 2 127.0.0.1 6380 | tr -d '\r'; }
systemctl start ctapp@valkey-ns.service || die "start failed: $(journalctl -u ctapp@valkey-ns --no-pager | tail -5)"
assert_contains "$(redis PING)" "+PONG" "valkey in a user namespace answers"
read -r start count < /var/lib/ctapp/userns/valkey-ns
assert_eq "65536" "$count" "the app's range"
redis_uid=$(grep '^redis:' /opt/containers/valkey-ns-valkey-like-*/rootfs/etc/passwd | cut -d: -f3)
pids=$(cat "/sys/fs/cgroup$(systemctl show -P ControlGroup ctapp@valkey-ns.service)/container/cgroup.procs")
[ -n "$pids" ] || die "no process in the app's container cgroup"
for pid in $pids; do
  uid=$(ps -o uid= -p "$pid" | tr -d ' ')
  [ "$uid" -ge "$start" ] && [ "$uid" -lt $((start + count)) ] || die "pid $pid runs as uid $uid, outside $start+$count"
done
assert_eq "$((start + redis_uid))" "$(ps -o uid= -C redis-server | tr -d ' ')" "redis-server, seen from the machine"
assert_eq "$((start + redis_uid))" "$(stat -c %u /var/lib/ctapp/apps/valkey-ns/volumes/data)" "/data chowned by the entrypoint, in the range"
redis "SET greeting persisted" "SAVE" >/dev/null
systemctl restart ctapp@valkey-ns.service || die "restart failed"
assert_contains "$(redis "GET greeting")" "persisted" "the data survived the restart"
assert_eq "$start $count" "$(cat /var/lib/ctapp/userns/valkey-ns)" "the same range after the restart"
systemctl stop ctapp@valkey-ns.service
assert_nothing_left valkey-ns
echo "valkey in a user namespace: redis-server runs as host uid $((start + redis_uid)) (range $start+$count), data kept"
