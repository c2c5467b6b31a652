# SPDX-License-Identifier: LGPL-2.1-or-later
# Boots a throw-away Debian 12 guest with systemd as PID 1 in systemd-nspawn
# (see shared notes: systemd-in-nspawn.md) on an overlay of a cached root,
# and runs commands in it as systemd units. Sourced by run-e2e.sh.

E2E_CACHE=${CTAPP_TEST_CACHE:-/var/cache/ctapp-test}
# systemd and runc, tools the cases use, and ctapp's own runtime libraries
# (what its Debian package depends on besides libc6, zlib1g and libzstd1,
# which minbase has).
E2E_PACKAGES="systemd,systemd-sysv,dbus,runc,iproute2,busybox-static,procps"
E2E_PACKAGES="$E2E_PACKAGES,libcurl4,libssl3,libyaml-0-2"
# The guest's own registry on 127.0.0.1:5000, for pulls at start.
E2E_PACKAGES="$E2E_PACKAGES,docker-registry"
# seccomp.json for the apps (it needs a container-network-stack)
E2E_PACKAGES="$E2E_PACKAGES,golang-github-containers-common,containernetworking-plugins"

# debootstrap_root PACKAGES DIR: a Debian 12 root with PACKAGES at DIR
# (which must not exist), set up to boot with systemd as PID 1. Also used by
# the VM lane (tests/vm/harness.sh), with its own packages.
debootstrap_root() {
  local packages=$1 dir=$2
  debootstrap --variant=minbase --include="$packages" bookworm "$dir" \
    http://deb.debian.org/debian >&2 || return 1
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  echo "ctapp-e2e" > "$dir/etc/hostname"
  # No getty on a console nobody reads; it only slows shutdown.
  ln -sf /dev/null "$dir/etc/systemd/system/console-getty.service"
}

# cached_dir DIR BUILDER...: makes DIR when it is missing by running
# BUILDER... DIR.tmp and renaming DIR.tmp to DIR, so a killed build leaves no
# half-made DIR behind; under a lock (DIR.lock), so callers at the same time
# (tests/cache-guests.sh beside the tests) build it once.
cached_dir() {
  local dir=$1 lock status=0
  shift
  mkdir -p "$(dirname "$dir")"
  exec {lock}>"$dir.lock"
  flock "$lock"
  if [ ! -d "$dir" ]; then
    rm -rf "$dir.tmp"
    if "$@" "$dir.tmp"; then mv "$dir.tmp" "$dir"; else rm -rf "$dir.tmp"; status=1; fi
  fi
  exec {lock}>&-
  return $status
}

# The cached guest root (debootstrap, ~50 s once), keyed by its package
# list. Never modified afterwards: each boot uses an overlay of it.
guest_base() {
  local base
  base=$E2E_CACHE/e2e-root-$(echo "$E2E_PACKAGES" | sha256sum | cut -c1-12)
  cached_dir "$base" debootstrap_root "$E2E_PACKAGES" || return 1
  echo "$base"
}

# guest_mount WORKDIR: overlay of the cached root at WORKDIR/root.
guest_mount() {
  local work=$1 base
  base=$(guest_base) || return 1
  mkdir -p "$work/upper" "$work/work" "$work/root"
  mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/work" "$work/root"
}

# nspawn refuses to run under a non-tmpfs /run/systemd/nspawn.
nspawn_runtime_dir() {
  mkdir -p /run/systemd/nspawn
  findmnt -rn /run/systemd/nspawn >/dev/null || mount -t tmpfs tmpfs /run/systemd/nspawn
}

# nspawn_start WORKDIR NAME INIT: boots WORKDIR/root in systemd-nspawn, in
# a cgroup of its own named after NAME; sets GUEST_CGROUP, GUEST_NSPAWN
# (nspawn's pid) and GUEST_LEADER (the guest's PID 1, the child of nspawn
# whose command is INIT). Fails, with the console, if INIT never starts.
nspawn_start() {
  local work=$1 cgroup=$2-$$-$RANDOM init=$3 i
  nspawn_runtime_dir
  GUEST_CGROUP=$cgroup
  mkdir -p "/sys/fs/cgroup/unified/$cgroup" "/sys/fs/cgroup/systemd/$cgroup"
  (
    echo $BASHPID > "/sys/fs/cgroup/unified/$cgroup/cgroup.procs"
    echo $BASHPID > "/sys/fs/cgroup/systemd/$cgroup/cgroup.procs"
    exec env SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn --quiet --boot \
      --directory="$work/root" --machine="$cgroup" --register=no --keep-unit \
      --private-network --system-call-filter='@keyring bpf' --resolv-conf=off \
      --timezone=off --link-journal=no --console=read-only
  ) > "$work/console.log" 2>&1 < /dev/null &
  GUEST_NSPAWN=$!
  GUEST_LEADER=""
  # nspawn forks short-lived helpers before the guest's init: wait for the
  # child that runs INIT.
  for i in $(seq 200); do
    GUEST_LEADER=$(ps --ppid "$GUEST_NSPAWN" -o pid=,comm= | awk -v init="$init" '$2 == init {print $1; exit}')
    [ -n "$GUEST_LEADER" ] && break
    kill -0 "$GUEST_NSPAWN" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$GUEST_LEADER" ]; then
    echo "the guest did not start; console:" >&2
    cat "$work/console.log" >&2
    return 1
  fi
}

# guest_boot WORKDIR: boots WORKDIR/root with systemd (nspawn_start). Fails
# if the guest does not reach a running (or degraded) state within 60 s.
guest_boot() {
  local work=$1 i state
  nspawn_start "$work" ctapp-e2e systemd || return 1
  # Until the manager's bus is up, systemctl cannot even ask: retry that
  # (it says "offline" while the manager's private socket does not exist
  # yet, "Failed to connect to bus" when it refuses).
  for i in $(seq 600); do
    state=$(timeout 60 nsenter -t "$GUEST_LEADER" -a systemctl is-system-running --wait 2>&1)
    case "$state" in offline|*"Failed to connect to bus"*) sleep 0.1 ;; *) break ;; esac
  done
  case "$state" in
    running|degraded) return 0 ;;
    *) echo "the guest never finished booting (state: '$state'); console:" >&2
       tail -50 "$work/console.log" >&2
       return 1 ;;
  esac
}

# guest_run SECONDS SCRIPT_IN_GUEST: runs `/bin/sh SCRIPT` in the guest as a
# transient unit, so the test sees exactly what a service sees; the time
# limit is enforced by systemd (RuntimeMaxSec), never by killing nsenter.
guest_run() {
  nsenter -t "$GUEST_LEADER" -a systemd-run --quiet --wait --pipe --collect \
    --service-type=exec -p RuntimeMaxSec="$1" -p StandardInput=null /bin/sh "$2"
}

guest_journal() {
  nsenter -t "$GUEST_LEADER" -a journalctl --no-pager -o short-monotonic -b 2>/dev/null
}

# guest_poweroff: an orderly shutdown (SIGTERM to nspawn), at most 30 s;
# then SIGKILL to the guest's init, which ends its whole PID namespace (only
# killing nspawn would leave the guest running as an orphan).
guest_poweroff() {
  [ -n "${GUEST_NSPAWN:-}" ] || return 0
  kill -TERM "$GUEST_NSPAWN" 2>/dev/null
  local i
  for i in $(seq 300); do
    kill -0 "$GUEST_NSPAWN" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$GUEST_NSPAWN" 2>/dev/null; then
    echo "the guest did not power off within 30 s; killing it" >&2
    [ -n "${GUEST_LEADER:-}" ] && kill -KILL "$GUEST_LEADER" 2>/dev/null
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

guest_unmount() {
  local work=$1
  findmnt -rn -o TARGET | grep -F "$work/root" | sort -r | while read -r target; do
    umount -l "$target"
  done
}
