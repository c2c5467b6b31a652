#!/bin/bash
# The OpenRC service script (units/openrc/ctapp) against a real OpenRC: a
# Debian 12 root with openrc and sysvinit-core (debootstrapped once into the
# test cache, keyed by its package list; each run boots an overlay of it),
# booted with sysvinit as PID 1 in systemd-nspawn, OpenRC running its
# runlevels. ctapp is installed by meson into it. Cases: an app by symlink
# starts and serves, status, the output goes to syslog, restart, a crash is
# restarted, stop leaves nothing, the dependency on the network only when a
# pull is needed.
# Usage: openrc-test.sh SOURCE_DIR BUILD_DIR
set -u
source_dir=$(readlink -f "$1")
build_dir=$(readlink -f "$2")
. "$source_dir/tests/e2e/harness.sh"
. "$source_dir/tests/openrc/root.sh"

# guest_mount's overlay, of the OpenRC root.
openrc_mount() {
  local base
  base=$(openrc_base) || return 1
  mkdir -p "$work/upper" "$work/work" "$work/root"
  mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/work" "$work/root"
}

work=$(mktemp -d /var/tmp/ctapp-openrc.XXXXXX)
GUEST_NSPAWN=""
teardown() {
  openrc_poweroff
  guest_unmount "$work"
  rm -rf "$work"
}
trap teardown EXIT
fail_setup() { echo "FAIL (set-up): $*"; exit 1; }

# openrc_boot: boots $work/root with its /sbin/init (sysvinit) in nspawn
# (nspawn_start, as guest_boot does for systemd); waits (at most 60 s) until
# OpenRC has reached the default runlevel.
openrc_boot() {
  local i
  nspawn_start "$work" ctapp-openrc init || return 1
  for i in $(seq 600); do
    [ "$(in_guest rc-status --runlevel 2>/dev/null)" = default ] &&
      ! in_guest sh -c 'rc-status --all 2>/dev/null | grep -q starting' && return 0
    sleep 0.1
  done
  echo "OpenRC never reached the default runlevel; console:"; tail -40 "$work/console.log"
  return 1
}

# Runs a command in the guest from the guest's own cgroup (the one of its
# init), as a service started by init would be: runc finds its cgroup
# there, and not in the host's.
in_guest() {
  (
    cgroup=$(awk -F: '$1 == "0" {print $3}' "/proc/$GUEST_LEADER/cgroup")
    echo "$BASHPID" > "/sys/fs/cgroup/unified$cgroup/cgroup.procs"
    echo "$BASHPID" > "/sys/fs/cgroup/systemd$cgroup/cgroup.procs"
    exec timeout 120 nsenter -t "$GUEST_LEADER" -a "$@"
  )
}

# An orderly halt through sysvinit (telinit 0: OpenRC's shutdown runlevel
# stops every service), at most 30 s; then SIGKILL to init.
openrc_poweroff() {
  [ -n "${GUEST_NSPAWN:-}" ] || return 0
  in_guest /sbin/telinit 0 >/dev/null 2>&1
  local i
  for i in $(seq 300); do
    kill -0 "$GUEST_NSPAWN" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$GUEST_NSPAWN" 2>/dev/null; then
    echo "the OpenRC guest did not halt within 30 s; killing it" >&2
    kill -KILL "$GUEST_LEADER" 2>/dev/null
    sleep 1
    kill -KILL "$GUEST_NSPAWN" 2>/dev/null
  fi
  wait "$GUEST_NSPAWN" 2>/dev/null
  GUEST_NSPAWN=""
  local dir
  for dir in "/sys/fs/cgroup/unified/$GUEST_CGROUP" "/sys/fs/cgroup/systemd/$GUEST_CGROUP"; do
    [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
  done
}

echo "== preparing the OpenRC guest"
start=$(date +%s)
openrc_mount || fail_setup "cannot make the OpenRC guest root"
root=$work/root
meson install -C "$build_dir" --no-rebuild --quiet --destdir "$root" >/dev/null || fail_setup "meson install"
install -m 0755 "$root/usr/local/share/ctapp/openrc/ctapp" "$root/etc/init.d/ctapp" || fail_setup "no OpenRC script installed"
"$source_dir/tests/images/make-busybox-image.sh" "$root/srv/images" box sh >/dev/null || fail_setup "image"
mkdir -p "$root/etc/containers.d" "$root/e2e"
printf 'image = "oci:/srv/images:box"\n[run]\ncommand = ["sh", "-c", "echo web via openrc; exec httpd -f -p 127.0.0.1:8085 -h /etc"]\n[service]\nstop_timeout = 2\n' \
  > "$root/etc/containers.d/web.ctapp"
printf 'image = "127.0.0.1:5999/e2e/box:1"\n' > "$root/etc/containers.d/remote.ctapp"
ln -s ctapp "$root/etc/init.d/ctapp.web"
ln -s ctapp "$root/etc/init.d/ctapp.remote"
# What the guest lacks in nspawn, from rc.local (in Debian's default
# runlevel): a syslog daemon for logger (busybox's), and cgroup2 at
# /sys/fs/cgroup for runc. nspawn mounts it, but Debian's mountkernfs.sh
# mounts sysfs again over /sys and hides it, and OpenRC's cgroups service
# skips nspawn guests (keyword -systemd-nspawn); on a machine it mounts it.
printf '#!/bin/sh\n[ -e /sys/fs/cgroup/cgroup.procs ] || mount -t cgroup2 cgroup2 /sys/fs/cgroup\nbusybox syslogd -O /var/log/messages\nexit 0\n' \
  > "$root/etc/rc.local"
chmod 0755 "$root/etc/rc.local"
cp "$source_dir/tests/e2e/guest-lib.sh" "$root/e2e/"
cat > "$root/e2e/openrc-case.sh" <<'CASE'
. /e2e/guest-lib.sh
# guest-lib.sh's assert_nothing_left asks systemd's tools; these are OpenRC's.
nothing_left() {
  assert_eq "" "$(grep " /run/ctapp/$1" /proc/mounts || true)" "no mount of $1 left"
  assert_eq "" "$(runc --root /run/ctapp/runc list -q 2>/dev/null | grep -x "$1" || true)" "no runc container $1 left"
  [ ! -e "/run/ctapp/$1" ] || die "/run/ctapp/$1 still exists"
  assert_eq "" "$(pgrep -f "ctapp run --foreground $1|--id $1 --bundle" || true)" "no ctapp process of $1 left"
}
echo "--- start: the app serves"
rc-service ctapp.web start || die "start failed"
wait_until 20 tcp_answers 8085 || die "the app does not answer: $(tail -5 /var/log/messages)"
echo "--- status"
out=$(rc-service ctapp.web status); status=$?
assert_eq 0 "$status" "status of a started app"
assert_contains "$out" "started" "status says started"
echo "--- syslog"
wait_until 10 grep -q "ctapp.web.*web via openrc" /var/log/messages || die "the container's output is not in syslog: $(tail -5 /var/log/messages)"
echo "--- restart"
before=$(pgrep -f "ctapp-supervise.*--id web" | head -1)
rc-service ctapp.web restart || die "restart failed"
wait_until 20 tcp_answers 8085 || die "the app does not answer after the restart"
after=$(pgrep -f "ctapp-supervise.*--id web" | head -1)
[ -n "$after" ] && [ "$before" != "$after" ] || die "restart did not start a new supervisor ($before, $after)"
assert_eq 2 "$(grep -c "web via openrc" /var/log/messages)" "the container ran twice"
echo "--- a crash is restarted by supervise-daemon"
kill -KILL "$(pgrep -f "httpd -f -p 127.0.0.1:8085")" || die "no httpd to kill"
wait_until 20 sh -c '[ "$(grep -c "web via openrc" /var/log/messages)" = 3 ]' || die "the app was not started again after its crash"
wait_until 20 tcp_answers 8085 || die "the app does not answer after its crash"
assert_eq 0 "$(rc-service ctapp.web status >/dev/null 2>&1; echo $?)" "still started"
echo "--- stop leaves nothing"
rc-service ctapp.web stop || die "stop failed"
out=$(rc-service ctapp.web status); status=$?
assert_eq 3 "$status" "status of a stopped app"
assert_contains "$out" "stopped" "status says stopped"
tcp_answers 8085 && die "the app still answers"
nothing_left web
echo "--- the network only when a pull is needed"
# This guest has no service that provides net: an app that needs it cannot
# start, one that only uses it (web, above) can.
out=$(rc-service ctapp.remote start 2>&1) && die "an app that must pull started without net"
assert_contains "$out" "needs service(s) net" "an app whose image must be pulled needs net"
web_deps=$(sed -n "/_service='ctapp.web'/,/_service=/p" /run/openrc/deptree)
echo "$web_deps" | grep -qE "_iuse_[0-9]+='net'" || die "an unpacked app orders itself after net: $web_deps"
echo "$web_deps" | grep -qE "_ineed_[0-9]+='net'" && die "an unpacked app must not need net: $web_deps"
echo "--- the script alone is not an app"
out=$(rc-service ctapp start 2>&1) && die "starting 'ctapp' itself must fail"
assert_contains "$out" "link it as /etc/init.d/ctapp.NAME" "and say how to use it"
echo "all OpenRC cases passed"
CASE
echo "   guest ready in $(( $(date +%s) - start )) s"

t0=$(date +%s%N)
openrc_boot || { echo "FAILED: the OpenRC guest did not boot"; exit 1; }
echo "== OpenRC guest booted in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
# OPENRC_DEBUG_HOLD=SECONDS keeps the booted guest for a look before the cases.
if [ -n "${OPENRC_DEBUG_HOLD:-}" ]; then echo "leader $GUEST_LEADER root $root"; sleep "$OPENRC_DEBUG_HOLD"; fi
if in_guest /bin/sh /e2e/openrc-case.sh; then
  echo "1 passed, 0 failed"
else
  echo "--- syslog of the guest:"; tail -30 "$root/var/log/messages" 2>/dev/null | sed 's/^/    | /'
  echo "0 passed, 1 failed"
  exit 1
fi
