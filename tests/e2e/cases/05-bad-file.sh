. /e2e/guest-lib.sh
# A bad .ctapp does not stop the boot or the other apps, and says what is wrong.
assert_contains "$(systemctl is-system-running)" "" "boot finished"
is_state ctapp@hello.service active || die "the good app is not active"
if systemctl start ctapp@bad.service 2>/dev/null; then die "the bad app started"; fi
journal=$(journalctl -u ctapp@bad.service --no-pager)
assert_contains "$journal" "/etc/containers.d/bad.ctapp:3:1: unknown key 'comand' in [run], did you mean 'command'?" "the journal names file, line, column and the fix"
echo "bad file reported: $(echo "$journal" | grep -c comand) journal lines"
