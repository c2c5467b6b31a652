# Sourced (after lib.sh) by the run/ scripts that start apps in the
# background: `. app-fixture.sh NAME`. Sets ROOT (a fresh
# /tmp/ctapp-NAME.XXXXXX with etc/containers.d) and layout (the busybox image
# as $layout:box); on exit stops the background runs in run_pids and the
# listener in listener_pid, cleans up every app and removes ROOT.
export CTAPP_SUPERVISE
ROOT=$(mktemp -d "/tmp/ctapp-$1.XXXXXX")
run_pids=()
listener_pid=""
cleanup_all() {
  for pid in "${run_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null && wait "$listener_pid" 2>/dev/null
  for app in $(ls "$ROOT/etc/containers.d" 2>/dev/null | sed 's/\.ctapp$//'); do
    "$CTAPP" --root "$ROOT" cleanup "$app" >/dev/null 2>&1
  done
  rm -rf "$ROOT"
}
trap cleanup_all EXIT
require mkdir -p "$ROOT/etc/containers.d"
layout=$ROOT/images
require "$source_dir/tests/images/make-busybox-image.sh" "$layout" box sh >/dev/null

ctapp() { "$CTAPP" --root "$ROOT" "$@"; }
volume() { echo "$ROOT/var/lib/ctapp/apps/$1/volumes/data"; }
is_running() { runc --root "$ROOT/run/ctapp/runc" list -q 2>/dev/null | grep -qx "$1"; }
