. /e2e/guest-lib.sh
# A v2 that exits at once: `ctapp update --restart` sees the start fail,
# goes back to v1, restarts it, and says so (exit status 1).
v1_is_live=""
[ -d /var/lib/docker-registry-next ] && v1_is_live=1
cat > /etc/containers.d/broken.ctapp <<'APP'
image = "127.0.0.1:5000/e2e/broken:1"
[service]
notify = "healthy"
ready = "tcp:8091"
after = ["docker-registry.service"]
APP
systemctl daemon-reload
# The registry still has v1 for tag 1 unless case 50 swapped it already:
# start from v1 in either case.
if [ -z "$v1_is_live" ]; then
  systemctl stop docker-registry.service
  mv /var/lib/docker-registry /var/lib/docker-registry-next
  mv /var/lib/docker-registry-prev /var/lib/docker-registry
  systemctl start docker-registry.service
  wait_until 20 busybox wget -q -O /dev/null http://127.0.0.1:5000/v2/ || die "the registry did not come back"
fi
systemctl start ctapp@broken.service || die "start failed: $(journalctl -u ctapp@broken --no-pager | tail -5)"
assert_contains "$(journalctl -u ctapp@broken.service --no-pager)" "upd v1" "v1 runs first"
systemctl stop docker-registry.service
mv /var/lib/docker-registry /var/lib/docker-registry-prev
mv /var/lib/docker-registry-next /var/lib/docker-registry
systemctl start docker-registry.service
wait_until 20 busybox wget -q -O /dev/null http://127.0.0.1:5000/v2/ || die "the registry did not come back"
out=$(ctapp update --restart broken 2>&1)
assert_eq 1 "$?" "update --restart of a broken v2 fails: $out"
assert_contains "$out" "'ctapp@broken.service' did not become active" "it says v2 did not start"
assert_contains "$out" "rolled back to sha256:" "and that it rolled back"
assert_contains "$out" "and restarted it" "and restarted v1"
is_state ctapp@broken.service active || die "v1 is not active after the rollback"
journal=$(journalctl -u ctapp@broken.service --no-pager)
assert_contains "$journal" "upd bad" "v2 did run"
tcp_answers 8091 || die "v1 does not answer after the rollback"
assert_contains "$out" "rolling back to sha256:" "a warning says it rolls back"
systemctl stop ctapp@broken.service
assert_nothing_left broken
echo "a broken v2 was rolled back to v1"
