#!/bin/bash
# The main job, end to end: build ctapp, validate the example apps, show the
# units the generator makes for them, then run a real app — a busybox web
# server from an image built here offline — with `ctapp run --foreground`:
# image imported into the store, unpacked, overlay mounted, started with
# runc, READY once its port answers, a request served, stopped, cleaned up.
# Run as root on Debian 12 from anywhere in the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d build ] || meson setup build
ninja -C build
ctapp=$PWD/build/helper/ctapp
export CTAPP_SUPERVISE=$PWD/build/helper/supervise/ctapp-supervise

echo "== ctapp check examples/*.ctapp"
"$ctapp" check examples/*.ctapp && echo "all examples valid"
echo "== ctapp-generator --dry-run (what systemd gets at boot)"
CTAPP_CONFIG_PATH=$PWD/examples build/generator/ctapp-generator --dry-run

echo "== running an app: a busybox web server from an image built offline"
root=$(mktemp -d /tmp/ctapp-demo.XXXXXX)
trap '"$ctapp" --root "$root" cleanup demo >/dev/null 2>&1; rm -rf "$root"' EXIT
tests/images/make-busybox-image.sh "$root/srv/images" box sh >/dev/null
mkdir -p "$root/etc/containers.d"
cat > "$root/etc/containers.d/demo.ctapp" <<APP
image = "oci:$root/srv/images:box"
[run]
command = ["sh", "-c", "echo '<h1>served by ctapp</h1>' > /data/index.html; exec httpd -f -v -p 127.0.0.1:8089 -h /data"]
[service]
notify = "healthy"
ready = "tcp:8089"
stop_timeout = 2
APP
"$ctapp" --root "$root" run --foreground demo &
app=$!
for _ in $(seq 200); do busybox wget -q -O /dev/null http://127.0.0.1:8089/ 2>/dev/null && break; sleep 0.1; done
echo "== ctapp list"
"$ctapp" --root "$root" list
echo "== GET http://127.0.0.1:8089/"
busybox wget -q -O - http://127.0.0.1:8089/
echo "== stopping"
kill -TERM "$app"
wait "$app"
echo "== left behind: $(findmnt -rn -o TARGET | grep -c "$root" || true) mounts, $(runc --root "$root/run/ctapp/runc" list -q | wc -l) containers"
