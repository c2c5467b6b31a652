#!/bin/bash
# Provisioning an image offline, end to end: apps are preloaded from the
# host into a fresh guest root (an overlay, as image builders have) with
# examples/debootstrap/build-root.sh (ctapp --root ROOT preload --all),
# from a registry on the host's 127.0.0.1 with credentials; the guest then
# boots with a private network and no registry (its docker-registry is
# masked), and the enabled apps start at first boot, with no pull and no
# wait for the network.
# Usage: preload-e2e.sh SOURCE_DIR BUILD_DIR
set -u
source_dir=$(readlink -f "$1")
build_dir=$(readlink -f "$2")
here=$source_dir/tests/e2e
. "$here/harness.sh"

work=$(mktemp -d /var/tmp/ctapp-e2e-preload.XXXXXX)
registry_pid=""
teardown() {
  guest_poweroff
  [ -n "$registry_pid" ] && { kill "$registry_pid"; wait "$registry_pid"; } 2>/dev/null
  guest_unmount "$work"
  rm -rf "$work"
}
trap teardown EXIT
fail_setup() { echo "FAIL (set-up): $*"; exit 1; }

echo "== preparing the guest root on the host"
start=$(date +%s)
guest_mount "$work" || fail_setup "cannot make the guest root"
root=$work/root
"$source_dir/tests/images/make-busybox-image.sh" "$work/images" box sh >/dev/null || fail_setup "image"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
htpasswd -Bbn builder secret > "$work/htpasswd"
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s/registry}}\nhttp: {addr: "127.0.0.1:%s"}\nauth: {htpasswd: {realm: e2e, path: %s/htpasswd}}\n' \
  "$work" "$port" "$work" > "$work/registry.yml"
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
R=127.0.0.1:$port
skopeo copy --quiet --dest-tls-verify=false --dest-creds builder:secret "oci:$work/images:box" "docker://$R/e2e/box:1" ||
  fail_setup "cannot push to the host's registry"
# The build machine's registries.conf and credentials, kept out of the image.
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$R" > "$work/registries.conf"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$R" "$(printf builder:secret | base64 -w0)" > "$work/auth.json"
printf 'image = "%s/e2e/box:1"\n[run]\ncommand = ["sh", "-c", "echo preloaded app running; exec httpd -f -p 127.0.0.1:8090 -h /etc"]\n[service]\nnotify = "healthy"\nready = "tcp:8090"\nwanted_by = ["multi-user.target"]\n' \
  "$R" > "$work/preloaded.ctapp"
printf 'image = "%s/e2e/box:1"\n[run]\nuser_namespace = "auto"\ncommand = ["sh", "-c", "exec httpd -f -p 127.0.0.1:8091 -h /etc"]\n[service]\nnotify = "healthy"\nready = "tcp:8091"\nwanted_by = ["multi-user.target"]\n' \
  "$R" > "$work/preloaded-userns.ctapp"
# The image builder's example does the install and the preload.
CONTAINERS_REGISTRIES_CONF=$work/registries.conf "$source_dir/examples/debootstrap/build-root.sh" \
  --authfile "$work/auth.json" "$root" "$build_dir" "$work/preloaded.ctapp" "$work/preloaded-userns.ctapp" ||
  fail_setup "examples/debootstrap/build-root.sh failed"
kill "$registry_pid"; wait "$registry_pid" 2>/dev/null; registry_pid=""
findmnt -rn -o TARGET | grep -F "$root/" && fail_setup "preload left a mount in the guest root"
# No registry in the guest either: its own docker-registry stays off.
ln -sf /dev/null "$root/etc/systemd/system/docker-registry.service"
cat > "$root/preload-case.sh" <<'CASE'
. /e2e/guest-lib.sh
for app in preloaded preloaded-userns; do
  wait_until 60 is_state "ctapp@$app.service" active || die "$app did not start at boot: $(journalctl -u ctapp@$app --no-pager | tail -5)"
  assert_not_contains "$(systemctl cat ctapp@$app.service)" "network-online.target" "a preloaded app does not wait for the network"
  journal=$(journalctl -u ctapp@$app.service --no-pager)
  assert_not_contains "$journal" "pulling" "nothing was pulled at boot"
done
tcp_answers 8090 || die "the preloaded app does not answer"
tcp_answers 8091 || die "the preloaded app with a user namespace does not answer"
assert_contains "$(journalctl -u ctapp@preloaded.service --no-pager)" "preloaded app running" "the container's output"
assert_eq "" "$(ip -o link show | grep -v ' lo:' || true)" "the guest has no network but loopback"
systemctl stop ctapp@preloaded.service ctapp@preloaded-userns.service
assert_nothing_left preloaded
assert_nothing_left preloaded-userns
echo "preloaded apps started at first boot, offline"
CASE
mkdir -p "$root/e2e"; cp "$here/guest-lib.sh" "$root/e2e/"
echo "   guest root ready in $(( $(date +%s) - start )) s"

t0=$(date +%s%N)
guest_boot "$work" || { echo "FAILED: the guest did not boot"; exit 1; }
echo "== guest booted in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
echo "--- preloaded-apps-start-at-first-boot-offline"
if guest_run 120 /preload-case.sh; then
  echo "    ok"; echo "1 passed, 0 failed"
else
  guest_journal | grep -a ctapp | tail -30 | sed 's/^/    | /'
  echo "    FAILED"; echo "0 passed, 1 failed"
  exit 1
fi
