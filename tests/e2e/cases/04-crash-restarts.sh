. /e2e/guest-lib.sh
# Restart=on-failure: a container that exits 1 is restarted by systemd.
systemctl start ctapp@crashy.service
wait_until 60 sh -c '[ "$(systemctl show -P NRestarts ctapp@crashy.service)" -ge 3 ]' ||
  die "not restarted: NRestarts=$(systemctl show -P NRestarts ctapp@crashy.service)"
assert_contains "$(journalctl -u ctapp@crashy.service --no-pager)" "Main process exited, code=exited, status=1/FAILURE" "the container's exit status reaches systemd"
systemctl stop ctapp@crashy.service
systemctl reset-failed ctapp@crashy.service 2>/dev/null
assert_nothing_left crashy
echo "restarted $(wc -l < /var/lib/ctapp/apps/crashy/volumes/data/crashes) times"
