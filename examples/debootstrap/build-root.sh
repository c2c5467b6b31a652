#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds a bootable Debian 12 root with ctapp installed and its apps
# preloaded, so that they start at first boot with no network (for a
# machine image: turn ROOT into a disk image, a container, a PXE root...).
#
# Usage: build-root.sh [--authfile FILE] ROOT BUILD_DIR APP.ctapp...
#   ROOT       the image root; debootstrapped if it holds no system yet (an
#              existing root, such as an image builder's overlay, is used as
#              it is)
#   BUILD_DIR  a meson build of ctapp: installed into ROOT, and its ctapp
#              does the preload on this (the build) machine
#   APP.ctapp  apps to install into ROOT/etc/containers.d; those with
#              [service] wanted_by = ["multi-user.target"] start at boot
#   --authfile registry credentials for the preload (kept out of ROOT)
# As root. Registries come from ROOT/etc/containers/registries.conf, or this
# machine's (or $CONTAINERS_REGISTRIES_CONF) when ROOT has none.
set -eu

authfile=""
if [ "${1:-}" = --authfile ]; then
  authfile=$2
  shift 2
fi
if [ $# -lt 3 ]; then
  echo "Usage: $0 [--authfile FILE] ROOT BUILD_DIR APP.ctapp..." >&2
  exit 2
fi
root=$1
build_dir=$2
shift 2

# What ctapp needs at run time on the booted machine.
packages=systemd,systemd-sysv,dbus,runc,iproute2,libcurl4,libssl3
packages=$packages,golang-github-containers-common,containernetworking-plugins

if [ ! -e "$root/etc/os-release" ]; then
  debootstrap --variant=minbase --include="$packages" bookworm "$root" http://deb.debian.org/debian
fi
meson install -C "$build_dir" --no-rebuild --quiet --destdir "$root" >/dev/null
mkdir -p "$root/etc/containers.d"
for app in "$@"; do
  install -m 0644 "$app" "$root/etc/containers.d/"
done
set -- --root "$root" preload
[ -n "$authfile" ] && set -- "$@" --authfile "$authfile"
"$build_dir/helper/ctapp" "$@" --all
