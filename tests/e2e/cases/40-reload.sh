. /e2e/guest-lib.sh
# systemctl reload ctapp@NAME under systemd: [service] reload = "signal:SIGHUP"
# reaches the container's init (a trap writes a marker), and a reload
# command runs inside the container; a failing command fails the reload and
# the app keeps running.
cat > /etc/containers.d/hup.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
command = ["sh", "-c", "trap 'echo hup >> /data/reloads' HUP; echo hup ready; while true; do sleep 0.1; done"]
[service]
reload = "signal:SIGHUP"
stop_timeout = 1
APP
cat > /etc/containers.d/reloadcmd.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
command = ["sh", "-c", "echo reloadcmd ready; exec sleep 1000000"]
[service]
reload = ["sh", "-c", "echo by-command-in-$(hostname) >> /data/reloads; test ! -e /data/fail"]
stop_timeout = 1
APP
systemctl daemon-reload
for app in hup reloadcmd; do
  systemctl start ctapp@$app.service || die "start of $app failed: $(journalctl -u ctapp@$app --no-pager | tail -5)"
done
hup=/var/lib/ctapp/apps/hup/volumes/data/reloads
# The trap is set before "hup ready" is printed.
wait_until 10 sh -c 'journalctl -u ctapp@hup.service --no-pager | grep -q "hup ready"' || die "hup never started its loop"
[ ! -e $hup ] || die "a marker before any reload: $(cat $hup)"
systemctl reload ctapp@hup.service || die "systemctl reload ctapp@hup failed: $(journalctl -u ctapp@hup --no-pager | tail -5)"
wait_until 10 grep -qx hup $hup || die "the app never saw SIGHUP"
systemctl reload ctapp@hup.service || die "the second reload failed"
wait_until 10 sh -c "[ \$(grep -c hup $hup) -eq 2 ]" || die "the second SIGHUP never arrived: $(cat $hup)"
assert_eq active "$(state_of ctapp@hup.service)" "hup still runs after two reloads"

cmd=/var/lib/ctapp/apps/reloadcmd/volumes/data
systemctl reload ctapp@reloadcmd.service || die "systemctl reload ctapp@reloadcmd failed: $(journalctl -u ctapp@reloadcmd --no-pager | tail -5)"
# systemctl reload returns when ExecReload= has finished: the marker is there.
assert_eq "by-command-in-reloadcmd" "$(cat $cmd/reloads 2>/dev/null)" "the command ran in the container"
touch $cmd/fail
if systemctl reload ctapp@reloadcmd.service 2>/dev/null; then die "a failing reload command did not fail the reload"; fi
assert_eq active "$(state_of ctapp@reloadcmd.service)" "the app runs on after a failed reload"
systemctl stop ctapp@hup.service ctapp@reloadcmd.service || die "stop failed"
assert_nothing_left hup
assert_nothing_left reloadcmd
rm -f /etc/containers.d/hup.ctapp /etc/containers.d/reloadcmd.ctapp
systemctl daemon-reload
echo "reload by SIGHUP and by command reached the apps"
