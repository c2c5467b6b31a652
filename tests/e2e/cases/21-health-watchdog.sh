. /e2e/guest-lib.sh
# WatchdogSec= with [health]: while healthy, the supervisor's pings (and the
# app's own, relayed) keep the unit up past several watchdog periods; when
# the check fails, the supervisor stops pinging and drops the app's pings,
# so systemd's watchdog ends the app: Result=watchdog, and Restart= applies.
unit=ctapp@watched.service
data=/var/lib/ctapp/apps/watched/volumes/data
mkdir -p "$data" && touch "$data/ok"
systemctl start "$unit" || die "start failed: $(journalctl -u "$unit" --no-pager | tail -20)"
wait_until 30 sh -c "[ \"\$(systemctl show -P StatusText $unit)\" = healthy ]" ||
  die "never healthy: StatusText='$(systemctl show -P StatusText "$unit")'"
assert_eq 2s "$(systemctl show -P WatchdogUSec "$unit")" "the unit has a 2 s watchdog"
# Three watchdog periods: a unit without pings would have been killed.
start=$(date +%s)
while [ $(( $(date +%s) - start )) -lt 6 ]; do
  is_state "$unit" active || die "$unit went $(state_of "$unit") while healthy: $(journalctl -u "$unit" --no-pager | tail -20)"
  sleep 0.5
done
assert_eq 0 "$(systemctl show -P NRestarts "$unit")" "no restart while healthy"
rm "$data/ok"
wait_until 30 sh -c "journalctl -u $unit --no-pager | grep -q \"Failed with result 'watchdog'\"" ||
  die "the watchdog did not fire: $(journalctl -u "$unit" --no-pager | tail -20)"
wait_until 30 sh -c "[ \"\$(systemctl show -P NRestarts $unit)\" -ge 1 ]" ||
  die "not restarted after the watchdog: NRestarts=$(systemctl show -P NRestarts "$unit")"
journal=$(journalctl -u "$unit" --no-pager)
assert_contains "$journal" "Watchdog timeout" "systemd's own watchdog ended the app"
assert_contains "$journal" "app 'watched' is unhealthy: 1 failed check" "the transition is in the journal"
touch "$data/ok"
systemctl stop "$unit"
systemctl reset-failed "$unit" 2>/dev/null
assert_nothing_left watched
echo "watchdog kept a healthy app up for 6 s and ended it once unhealthy"
