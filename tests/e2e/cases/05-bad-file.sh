. /e2e/guest-lib.sh
# A bad .ctapp does not stop the boot or the other apps, and says what is wrong.
# The boot finished ("degraded" only says that some unit failed since, e.g.
# in an earlier case; the generator's own result is checked below).
state=$(systemctl is-system-running)
case "$state" in
  running | degraded) ;;
  *) die "the boot did not finish: the system is '$state'" ;;
esac
assert_eq "" "$(systemctl list-units --failed --plain --no-legend 'ctapp@bad*')" "a failed unit for the bad file"
# The generator did its job (exit 0) although bad.ctapp is invalid. At boot
# the harness checks the console; here a daemon-reload runs it again, with
# the journal up: systemd logs a generator that exits non-zero or dies.
cursor=$(journalctl -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
systemctl daemon-reload || die "daemon-reload failed"
journalctl --sync
reload_log=$(journalctl --after-cursor "$cursor" --no-pager -o cat)
assert_contains "$reload_log" "Reloading" "systemd's log of the reload"
assert_not_contains "$reload_log" "ctapp-generator failed" "the generator failed"
assert_not_contains "$reload_log" "ctapp-generator terminated" "the generator died"
assert_contains "$(systemctl cat ctapp@hello.service)" "ctapp@hello.service.d/50-ctapp.conf" "the good app's drop-in was written"
assert_not_contains "$(systemctl cat ctapp@bad.service 2>&1)" "ctapp@bad.service.d/50-ctapp.conf" "the bad app got a drop-in"
is_state ctapp@hello.service active || die "the good app is not active"
if systemctl start ctapp@bad.service 2>/dev/null; then die "the bad app started"; fi
journal=$(journalctl -u ctapp@bad.service --no-pager)
assert_contains "$journal" "/etc/containers.d/bad.ctapp:3:1: unknown key 'comand' in [run], did you mean 'command'?" "the journal names file, line, column and the fix"
echo "bad file reported: $(echo "$journal" | grep -c comand) journal lines; system $state"
