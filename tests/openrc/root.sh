# SPDX-License-Identifier: LGPL-2.1-or-later
# The OpenRC guest's cached root. Sourced after tests/e2e/harness.sh by
# openrc-test.sh and tests/cache-guests.sh.

# The guest: sysvinit and OpenRC instead of systemd, and what ctapp needs.
# debootstrap resolves sysvinit-core's "sysv-rc | file-rc | openrc" to
# sysv-rc, which conflicts with openrc: the two init packages are installed
# by apt in the new root afterwards.
OPENRC_BASE_PACKAGES="runc,busybox-static,procps,iproute2,libcurl4,libssl3,golang-github-containers-common,containernetworking-plugins,bsdutils"
OPENRC_INIT_PACKAGES="sysvinit-core openrc"

# The cached OpenRC root, keyed by both lists (cached_dir). Never modified
# afterwards: each run boots an overlay.
openrc_base() {
  local base
  base=$E2E_CACHE/openrc-root-$(echo "$OPENRC_BASE_PACKAGES $OPENRC_INIT_PACKAGES" | sha256sum | cut -c1-12)
  cached_dir "$base" openrc_root_build || return 1
  echo "$base"
}

openrc_root_build() {  # DIR
  local dir=$1
  debootstrap --variant=minbase --include="$OPENRC_BASE_PACKAGES" bookworm "$dir" \
    http://deb.debian.org/debian >&2 &&
    cp /etc/resolv.conf "$dir/etc/resolv.conf" &&
    chroot "$dir" apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive chroot "$dir" apt-get install -y -qq --no-install-recommends \
      $OPENRC_INIT_PACKAGES >&2 || return 1
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  : > "$dir/etc/resolv.conf"
  echo "ctapp-openrc" > "$dir/etc/hostname"
  # No gettys on consoles nobody reads (they respawn forever in nspawn).
  sed -i '/^[0-9]*:[0-9]*:respawn:\/sbin\/getty/d' "$dir/etc/inittab"
}
