. /e2e/guest-lib.sh
# ctapp update --restart of an enabled, running app: the tag moves to v2 in
# the guest's registry; the update pulls it, restarts the unit on it and
# waits until it is active again. The data volume stays.
swap_to_next_registry() {
  [ -d /var/lib/docker-registry-next ] || return 0
  systemctl stop docker-registry.service
  mv /var/lib/docker-registry /var/lib/docker-registry-prev
  mv /var/lib/docker-registry-next /var/lib/docker-registry
  systemctl start docker-registry.service
  wait_until 20 busybox wget -q -O /dev/null http://127.0.0.1:5000/v2/ || die "the registry did not come back"
}
cat > /etc/containers.d/upd.ctapp <<'APP'
image = "127.0.0.1:5000/e2e/upd:1"
[service]
notify = "healthy"
ready = "tcp:8091"
after = ["docker-registry.service"]
APP
systemctl daemon-reload
systemctl enable ctapp@upd.service 2>/dev/null
systemctl start ctapp@upd.service || die "start failed: $(journalctl -u ctapp@upd --no-pager | tail -5)"
assert_contains "$(journalctl -u ctapp@upd.service --no-pager)" "upd v1" "v1 runs first"
out=$(ctapp update --restart upd 2>&1)
assert_contains "$out" "app 'upd': up to date" "nothing new yet: $out"
swap_to_next_registry
out=$(ctapp update --restart upd 2>&1) || die "update --restart failed: $out"
assert_contains "$out" "app 'upd': updated to sha256:" "the update says it updated"
assert_contains "$out" "restarted, active" "and that the app is active again"
is_state ctapp@upd.service active || die "not active after the update"
assert_contains "$(journalctl -u ctapp@upd.service --no-pager)" "upd v2" "v2 runs"
tcp_answers 8091 || die "v2 does not answer"
assert_contains "$(ctapp status upd)" "kept:" "status lists the versions"
systemctl stop ctapp@upd.service
systemctl disable ctapp@upd.service 2>/dev/null
assert_nothing_left upd
echo "updated with --restart to v2"
