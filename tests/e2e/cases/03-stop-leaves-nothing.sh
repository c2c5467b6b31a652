. /e2e/guest-lib.sh
systemctl stop ctapp@web.service || die "stop failed: $(journalctl -u ctapp@web --no-pager | tail -5)"
visits_before=$(cat /var/lib/ctapp/apps/web/volumes/data/visits 2>/dev/null | wc -l)
systemctl start ctapp@web.service || die "start failed"
# httpd as the container's PID 1 ignores SIGTERM: it is stopped by SIGKILL
# after stop_timeout (3 s), and that must still be a clean stop, not
# systemd's own timeout.
systemctl stop ctapp@web.service || die "stop after start failed: $(journalctl -u ctapp@web --no-pager | tail -5)"
assert_eq "inactive" "$(state_of ctapp@web.service)" "a stop is clean, not a failure"
assert_eq "success" "$(systemctl show -P Result ctapp@web.service)" "the stop's result"
assert_nothing_left web
[ -s /var/lib/ctapp/apps/web/volumes/data/visits ] || die "the data volume is gone"
systemctl restart ctapp@web.service || die "restart failed"
systemctl restart ctapp@web.service || die "second restart failed"
assert_eq "active" "$(state_of ctapp@web.service)" "active after restarts"
visits=$(wc -l < /var/lib/ctapp/apps/web/volumes/data/visits)
assert_eq "$((visits_before + 3))" "$visits" "one visit per start, kept in the volume"
systemctl stop ctapp@web.service || die "the last stop failed: $(journalctl -u ctapp@web --no-pager | tail -5)"
assert_eq "inactive" "$(state_of ctapp@web.service)" "the last stop is clean too"
assert_nothing_left web
echo "stop leaves nothing; $visits visits kept in the volume"
