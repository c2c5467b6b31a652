. /e2e/guest-lib.sh
cat > /etc/containers.d/late.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
command = ["sh", "-c", "echo late app; exec sleep 1000000"]
[service]
stop_timeout = 1
APP
systemctl daemon-reload
assert_contains "$(systemctl cat ctapp@late.service)" "SourcePath=/etc/containers.d/late.ctapp" "the new drop-in after daemon-reload"
systemctl start ctapp@late.service || die "start of the new app failed"
assert_eq "active" "$(state_of ctapp@late.service)" "state"
systemctl stop ctapp@late.service
assert_nothing_left late
echo "new app startable after daemon-reload"
