. /e2e/guest-lib.sh
# A bad .ctapp does not stop the boot or the other apps, and says what is wrong.
# The boot finished: "running", or "degraded" only for units that are not ctapp's.
state=$(systemctl is-system-running)
case "$state" in
  running) ;;
  degraded) assert_not_contains "$(systemctl list-units --failed --plain --no-legend)" "ctapp" \
              "boot finished degraded, by a ctapp unit" ;;
  *) die "the boot did not finish: the system is '$state'" ;;
esac
# The generator did its job (exit 0) although bad.ctapp is invalid: systemd
# logs a generator that exits non-zero or dies.
assert_not_contains "$(journalctl -b --no-pager -o cat _PID=1)" "ctapp-generator failed" "the generator failed"
assert_not_contains "$(journalctl -b --no-pager -o cat _PID=1)" "ctapp-generator terminated" "the generator died"
assert_contains "$(systemctl cat ctapp@hello.service)" "ctapp@hello.service.d/50-ctapp.conf" "the good app's drop-in was written"
assert_not_contains "$(systemctl cat ctapp@bad.service 2>&1)" "50-ctapp.conf" "the bad app got a drop-in"
is_state ctapp@hello.service active || die "the good app is not active"
if systemctl start ctapp@bad.service 2>/dev/null; then die "the bad app started"; fi
journal=$(journalctl -u ctapp@bad.service --no-pager)
assert_contains "$journal" "/etc/containers.d/bad.ctapp:3:1: unknown key 'comand' in [run], did you mean 'command'?" "the journal names file, line, column and the fix"
echo "bad file reported: $(echo "$journal" | grep -c comand) journal lines; system $state"
