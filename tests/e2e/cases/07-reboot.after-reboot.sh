. /e2e/guest-lib.sh
# After the reboot: the enabled apps are back, with their data.
wait_until 60 is_state ctapp@persist.service active || die "ctapp@persist not active after reboot"
wait_until 60 is_state ctapp@hello.service active || die "ctapp@hello not active after reboot"
assert_eq "2" "$(wc -l < /var/lib/ctapp/apps/persist/volumes/data/boots)" "the second boot appended to the same data"
echo "enabled apps back after reboot with their data"
