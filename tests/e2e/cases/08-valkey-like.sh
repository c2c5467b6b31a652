. /e2e/guest-lib.sh
redis() { printf '%s\r\n' "$@" | busybox nc -w 2 127.0.0.1 6379; }
systemctl start ctapp@valkey.service || die "start failed: $(journalctl -u ctapp@valkey --no-pager | tail -5)"
assert_contains "$(redis PING)" "+PONG" "valkey answers on the host network"
# The entrypoint ran as root, chowned /data and dropped privileges.
redis_uid=$(grep '^redis:' /opt/containers/valkey-valkey-like-*/rootfs/etc/passwd | cut -d: -f3)
[ -n "$redis_uid" ] || die "the image has no redis user"
user=$(ps -o uid= -C redis-server | tr -d ' ' | head -1)
assert_eq "$redis_uid" "$user" "the server runs as the image's redis user (uid)"
uid=$(stat -c %u /var/lib/ctapp/apps/valkey/volumes/data)
assert_eq "$redis_uid" "$uid" "the entrypoint chowned /data to redis"
redis "SET greeting persisted" "SAVE" >/dev/null
systemctl restart ctapp@valkey.service || die "restart failed"
assert_contains "$(redis "GET greeting")" "persisted" "the data survived the restart"
systemctl stop ctapp@valkey.service
assert_nothing_left valkey
echo "valkey-like: PONG, runs as uid $user (redis), /data owned by uid $uid, data kept across restart"
