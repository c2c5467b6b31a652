. /e2e/guest-lib.sh
# The shipped timer: installed, disabled until enabled, valid for systemd;
# its service updates only the apps with auto_update = true.
assert_eq "disabled" "$(systemctl is-enabled ctapp-update.timer)" "the timer ships disabled"
out=$(systemd-analyze verify --man=no ctapp-update.timer ctapp-update.service 2>&1) || die "verify failed: $out"
assert_eq "" "$out" "systemd-analyze verify is silent"
assert_contains "$(systemctl show -P RandomizedDelayUSec ctapp-update.timer)" "1h" "a randomized delay"
printf 'image = "127.0.0.1:5000/e2e/box:1"\n[service]\nauto_update = true\n' > /etc/containers.d/auto1.ctapp
printf 'image = "127.0.0.1:5000/e2e/box:1"\n' > /etc/containers.d/manual1.ctapp
systemctl daemon-reload
systemctl start ctapp-update.service || die "ctapp-update.service failed: $(journalctl -u ctapp-update --no-pager | tail -5)"
journal=$(journalctl -u ctapp-update.service --no-pager)
assert_contains "$journal" "app 'auto1': updated to sha256:" "the opted-in app was updated"
assert_not_contains "$journal" "manual1" "the other was not"
systemctl enable --now ctapp-update.timer 2>/dev/null || die "the timer cannot be enabled"
assert_eq "active" "$(systemctl is-active ctapp-update.timer)" "the timer runs once enabled"
systemctl disable --now ctapp-update.timer 2>/dev/null
rm -f /etc/containers.d/auto1.ctapp /etc/containers.d/manual1.ctapp
systemctl daemon-reload
echo "the update timer and service work"
