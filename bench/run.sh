#!/bin/bash
# A trivial app from `ctapp prepare` to READY=1 (rootfs already unpacked,
# as on every start but the first), against bare `runc run` of the same
# bundle running `true`; alternating, RUNS times each. Also the resident
# supervisor's RSS while the app runs.
# Usage: bench/run.sh [BUILD_DIR] [RUNS]     (as root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_init 11 "$@"
export CTAPP_SUPERVISE=$build/helper/supervise/ctapp-supervise
root=$scratch/root
trap '"$ctapp" --root "$root" cleanup trivial >/dev/null 2>&1 || true; runc --root "$scratch/runc" delete -f bare >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT

"$here/../tests/images/make-busybox-image.sh" "$scratch/layout" box sh >/dev/null
mkdir -p "$root/etc/containers.d"
printf 'image = "oci:%s:box"\n[run]\ncommand = ["sleep", "1000"]\n[service]\nstop_timeout = 1\n' \
  "$scratch/layout" > "$root/etc/containers.d/trivial.ctapp"
"$ctapp" --root "$root" prepare trivial >/dev/null 2>&1
# The bare bundle: the same config.json and rootfs, running `true`.
mkdir -p "$scratch/bare"
/usr/bin/python3 - "$root"/opt/containers/trivial-box-*/config.json "$scratch/bare/config.json" \
  "$root"/opt/containers/trivial-box-*/rootfs <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["process"]["args"] = ["true"]
config["root"] = {"path": sys.argv[3], "readonly": True}
config["linux"].pop("cgroupsPath", None)
json.dump(config, open(sys.argv[2], "w"))
PY
"$ctapp" --root "$root" cleanup trivial

ctapp_ms=() runc_ms=() rss=""
for i in $(seq "$runs"); do
  read -r ms pid < <(/usr/bin/python3 "$here/notify-wait.py" "$scratch/notify.sock" \
    sh -c "'$ctapp' --root '$root' prepare trivial && exec '$ctapp' --root '$root' run trivial")
  ctapp_ms+=("$(awk -v m="$ms" 'BEGIN{print m/1000}') 0")
  [ -n "$rss" ] || rss=$(awk '/^VmRSS/{print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
  "$ctapp" --root "$root" cleanup trivial
  measure runc_ms runc --root "$scratch/runc" run --bundle "$scratch/bare" bare
done
c=$(median 1 "${ctapp_ms[@]}"); r=$(median 1 "${runc_ms[@]}")
echo "trivial app, median of $runs runs:"
echo "  ctapp prepare + run to READY=1  ${c} s"
echo "  runc run (true)                 ${r} s"
echo "  ctapp/runc $(ratio "$c" "$r")x; supervisor RSS while running: ${rss} KB"
