. /e2e/guest-lib.sh
# [network] mode = "app:OTHER" under systemd: starting the sidecar starts
# the app it joins first (BindsTo= + After=), the sidecar reaches the app's
# server on 127.0.0.1, and stopping the app stops the sidecar.
cat > /etc/containers.d/podapp.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
command = ["sh", "-c", "echo served-to-the-sidecar > /tmp/index.html; exec httpd -f -p 127.0.0.1:8080 -h /tmp"]
[network]
mode = "none"
[service]
stop_timeout = 1
APP
cat > /etc/containers.d/podside.ctapp <<'APP'
image = "oci:/srv/images:box"
[run]
command = ["sh", "-c", "until wget -q -O /data/got http://127.0.0.1:8080/; do sleep 0.1; done; exec sleep 1000000"]
[network]
mode = "app:podapp"
[service]
stop_timeout = 1
APP
systemctl daemon-reload
assert_eq "ctapp@podapp.service" "$(systemctl show -P BindsTo ctapp@podside.service)" "BindsTo="
assert_contains "$(systemctl show -P After ctapp@podside.service)" "ctapp@podapp.service" "After="
# BindsTo= pulls the app in: starting the sidecar alone starts both.
systemctl start ctapp@podside.service || die "start of the sidecar failed: $(journalctl -u ctapp@podside -u ctapp@podapp --no-pager | tail -8)"
assert_eq active "$(state_of ctapp@podapp.service)" "the app was started first"
got=/var/lib/ctapp/apps/podside/volumes/data/got
wait_until 20 test -s $got || die "the sidecar never reached 127.0.0.1:8080: $(journalctl -u ctapp@podside --no-pager | tail -5)"
assert_eq "served-to-the-sidecar" "$(cat $got)" "the app's page over the shared loopback"
app_pid=$(ctapp status podapp --json | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
side_pid=$(ctapp status podside --json | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
assert_eq "$(readlink /proc/$app_pid/ns/net)" "$(readlink /proc/$side_pid/ns/net)" "one network namespace"
systemctl stop ctapp@podapp.service || die "stop of the app failed"
wait_until 10 is_state ctapp@podside.service inactive || die "the sidecar did not stop with the app: $(state_of ctapp@podside.service)"
assert_nothing_left podside
assert_nothing_left podapp
rm -f /etc/containers.d/podapp.ctapp /etc/containers.d/podside.ctapp
systemctl daemon-reload
echo "the sidecar started after the app, shared its loopback and stopped with it"
