. /e2e/guest-lib.sh
# Before the reboot: the enabled app ran once and wrote to its volume.
wait_until 60 is_state ctapp@persist.service active || die "ctapp@persist not active"
assert_eq "1" "$(wc -l < /var/lib/ctapp/apps/persist/volumes/data/boots)" "one boot recorded"
