#!/bin/bash
# The start path of a trivial app against bare `runc run`, and the resident
# supervisor's memory. Times in milliseconds (monotonic clock, one decimal),
# medians of RUNS runs, ctapp and runc alternating. Rows:
#   restart      `ctapp prepare` + `ctapp run` until READY=1 reaches the
#                notify socket, with the rootfs unpacked and config.json
#                already written by an earlier start (a restart: the unit's
#                ExecStopPost cleanup ran before)
#   prepare      `ctapp prepare` alone in that state (nothing to unpack and
#                nothing to rewrite; it still mounts the overlay); its peer
#                is the floor of any program here: the exec of /bin/true
#   first start  the same as restart, but config.json is deleted first: the
#                rootfs is unpacked, the config and the overlay are not made
#                (a first start after `ctapp pull` + unpack, e.g. preload)
#   runc run     `runc run` of the same config.json and rootfs running `true`
#                (create, start, exit, delete), the peer of both start rows
#   supervisor RSS  VmRSS of ctapp-supervise of an app with [health] (exec
#                check every 200 ms) and notify = "container" (the app
#                relays STATUS= every 100 ms), 2 s after READY=1; the peer is
#                the RSS of a foreground `runc run` parent keeping a container
# /run/ctapp is on a tmpfs mounted for the benchmark, as /run is on a real
# machine. Prints one `table` line per row for bench/compare.sh.
# Usage: bench/run.sh [BUILD_DIR] [RUNS]     (as root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_init 21 "$@"
export CTAPP_SUPERVISE=$build/helper/supervise/ctapp-supervise
notify_sender=$build/tests/integration/run/notify-sender
root=$scratch/root
runc_root=$scratch/runc
stop_pid() {  # PID: SIGTERM, then wait until it is gone
  kill -TERM "$1" 2>/dev/null || true
  while kill -0 "$1" 2>/dev/null; do sleep 0.01; done
}
finish() {
  for app in trivial watched; do "$ctapp" --root "$root" cleanup "$app" >/dev/null 2>&1 || true; done
  for id in bare held; do runc --root "$runc_root" delete -f "$id" >/dev/null 2>&1 || true; done
  umount "$root/run" 2>/dev/null || true
  rm -rf "$scratch"
}
trap finish EXIT
[ -x "$notify_sender" ] || { echo "bench/run.sh: $notify_sender is missing: build the tests first" >&2; exit 1; }

"$here/../tests/images/make-busybox-image.sh" "$scratch/layout" box sh >/dev/null
mkdir -p "$root/etc/containers.d" "$root/run"
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
printf 'image = "oci:%s:box"\n[run]\ncommand = ["sleep", "1000"]\n[service]\nstop_timeout = 1\n' \
  "$scratch/layout" > "$root/etc/containers.d/trivial.ctapp"
cp "$notify_sender" "$scratch/notify-sender"
cat > "$root/etc/containers.d/watched.ctapp" <<EOF
image = "oci:$scratch/layout:box"
[run]
command = ["sh", "-c", "notify-sender READY=1; while true; do notify-sender STATUS=tick; sleep 0.1; done"]
[[mount]]
source = "$scratch/notify-sender"
target = "/bin/notify-sender"
read_only = true
[service]
notify = "container"
stop_timeout = 1
[health]
check = ["true"]
interval = "200ms"
EOF
"$ctapp" --root "$root" prepare trivial >/dev/null 2>&1
version_dir=$(echo "$root"/opt/containers/trivial-box-*)
# The bare bundles: the same config.json and rootfs, running `true` (and
# `sleep` for the RSS peer).
mkdir -p "$scratch/bare" "$scratch/held"
# Files ctapp keeps in /run/ctapp/trivial (gone after cleanup) are copied.
/usr/bin/python3 - "$version_dir/config.json" "$version_dir/rootfs" "$scratch" "$root/run/ctapp/trivial" <<'PY'
import json, os, shutil, sys
config = json.load(open(sys.argv[1]))
config["root"] = {"path": sys.argv[2], "readonly": True}
config["linux"].pop("cgroupsPath", None)
for mount in config.get("mounts", []):
    if mount.get("source", "").startswith(sys.argv[4] + "/"):
        copy = os.path.join(sys.argv[3], "bare-" + os.path.basename(mount["source"]))
        shutil.copy(mount["source"], copy)
        mount["source"] = copy
for name, args in (("bare", ["true"]), ("held", ["sleep", "1000"])):
    config["process"]["args"] = args
    json.dump(config, open(f"{sys.argv[3]}/{name}/config.json", "w"))
PY
"$ctapp" --root "$root" cleanup trivial

# start_to_ready APP: prepare + run until READY=1; prints "MS PID".
start_to_ready() {
  /usr/bin/python3 "$here/notify-wait.py" "$scratch/notify.sock" \
    sh -c "'$ctapp' --root '$root' prepare $1 && exec '$ctapp' --root '$root' run $1"
}

restart_ms=() first_ms=() prepare_ms=() runc_ms=() floor_ms=()
for i in $(seq "$runs"); do
  read -r ms pid < <(start_to_ready trivial)
  restart_ms+=("$ms 0")
  stop_pid "$pid"
  "$ctapp" --root "$root" cleanup trivial
  measure runc_ms runc --root "$runc_root" run --bundle "$scratch/bare" bare
  rm -f "$version_dir/config.json"
  read -r ms pid < <(start_to_ready trivial)
  first_ms+=("$ms 0")
  stop_pid "$pid"
  "$ctapp" --root "$root" cleanup trivial
  measure prepare_ms "$ctapp" --root "$root" prepare trivial
  "$ctapp" --root "$root" cleanup trivial
  measure floor_ms /bin/true
done

rss_runs=$(( runs < 5 ? runs : 5 ))
supervise_kb=() runc_kb=()
for i in $(seq "$rss_runs"); do
  read -r ms pid < <(start_to_ready watched)
  sleep 2
  supervise_kb+=("0 $(awk '/^VmRSS/{print $2}' "/proc/$pid/status")")
  stop_pid "$pid"
  "$ctapp" --root "$root" cleanup watched
  runc --root "$runc_root" run --bundle "$scratch/held" held </dev/null >/dev/null 2>&1 &
  held=$!
  until [ "$(runc --root "$runc_root" state held 2>/dev/null | awk -F'"' '/"status"/{print $4}')" = running ]; do
    sleep 0.01
  done
  sleep 2
  runc_kb+=("0 $(awk '/^VmRSS/{print $2}' "/proc/$held/status")")
  runc --root "$runc_root" kill held KILL
  wait "$held" || true
  runc --root "$runc_root" delete -f held >/dev/null 2>&1 || true
done

restart=$(median 1 "${restart_ms[@]}") first=$(median 1 "${first_ms[@]}")
prepare=$(median 1 "${prepare_ms[@]}") bare=$(median 1 "${runc_ms[@]}") floor=$(median 1 "${floor_ms[@]}")
rss=$(median 2 "${supervise_kb[@]}") runc_rss=$(median 2 "${runc_kb[@]}")
echo "trivial app, medians of $runs runs (RSS: $rss_runs runs):"
echo "  restart: ctapp prepare + run to READY=1      ${restart} ms"
echo "  first start (rootfs unpacked, no config)      ${first} ms"
echo "  ctapp prepare, nothing changed                ${prepare} ms"
echo "  exec of /bin/true (the floor of any start)    ${floor} ms"
echo "  runc run (true)                               ${bare} ms"
echo "  restart/runc $(ratio "$restart" "$bare")x, first start/runc $(ratio "$first" "$bare")x"
echo "  ctapp-supervise RSS, [health] + relay         ${rss} KB (runc run parent: ${runc_rss} KB)"
table "restart to READY=1 (prepare + run)" "$restart" "runc run" "$bare" ms
table "first start, rootfs unpacked" "$first" "runc run" "$bare" ms
table "ctapp prepare, nothing changed" "$prepare" "/bin/true (exec floor)" "$floor" ms
table "supervisor RSS, health + relay" "$rss" "runc run parent" "$runc_rss" KB
