. /e2e/guest-lib.sh
# [health] on_failure = "restart": a failing check stops the app, the
# supervisor exits with failure and the unit's Restart=on-failure starts it
# again; STATUS= shows the health in `systemctl status`.
unit=ctapp@sickly.service
data=/var/lib/ctapp/apps/sickly/volumes/data
mkdir -p "$data" && touch "$data/ok"
systemctl start "$unit" || die "start failed: $(journalctl -u "$unit" --no-pager | tail -20)"
wait_until 30 sh -c "[ \"\$(systemctl show -P StatusText $unit)\" = healthy ]" ||
  die "never healthy: StatusText='$(systemctl show -P StatusText "$unit")'"
assert_contains "$(systemctl status "$unit" --no-pager)" 'Status: "healthy"' "systemctl status shows the health"
assert_contains "$(ctapp status --json sickly)" '"status": "healthy"' "ctapp status --json shows the health"
assert_eq 0 "$(systemctl show -P NRestarts "$unit")" "no restart while healthy"
rm "$data/ok"
wait_until 60 sh -c "[ \"\$(systemctl show -P NRestarts $unit)\" -ge 1 ]" ||
  die "not restarted: NRestarts=$(systemctl show -P NRestarts "$unit") $(journalctl -u "$unit" --no-pager | tail -20)"
journal=$(journalctl -u "$unit" --no-pager)
assert_contains "$journal" "app 'sickly' was unhealthy: 2 failed checks: cat: can't open '/data/ok': No such file or directory; stopped it (on_failure = restart)" "the reason is in the journal"
assert_contains "$journal" "Main process exited, code=exited, status=1/FAILURE" "the supervisor exits with failure"
touch "$data/ok"
wait_until 30 sh -c "[ \"\$(systemctl show -P StatusText $unit)\" = healthy ]" ||
  die "not healthy after the restart: $(systemctl show -P StatusText "$unit")"
is_state "$unit" active || die "$unit is $(state_of "$unit")"
restarts=$(systemctl show -P NRestarts "$unit")
systemctl stop "$unit"
systemctl reset-failed "$unit" 2>/dev/null
assert_nothing_left sickly
echo "restarted $restarts times by a failing health check"
