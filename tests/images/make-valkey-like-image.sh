#!/bin/bash
# Builds, offline from Debian's packages, an image that behaves like the
# official valkey/redis images: its entrypoint runs as root, chowns /data to
# the 'redis' user and drops privileges before exec'ing redis-server.
# Usage: make-valkey-like-image.sh LAYOUT TAG
# The debootstrap root and the finished layout are cached under
# $CTAPP_TEST_CACHE (default /var/cache/ctapp-test), keyed by this script.
set -euo pipefail
layout=$1
tag=$2
cache=${CTAPP_TEST_CACHE:-/var/cache/ctapp-test}
key=$(sha256sum "$0" | cut -c1-12)
root_cache=$cache/valkey-like-root-$key
layout_cache=$cache/valkey-like-layout-$key
mkdir -p "$cache"

if [ ! -d "$root_cache" ]; then
  rm -rf "$root_cache.tmp"
  debootstrap --variant=minbase --include=redis-server bookworm "$root_cache.tmp" \
    http://deb.debian.org/debian >/dev/null
  rm -rf "$root_cache.tmp"/var/cache/apt/archives/*.deb "$root_cache.tmp"/var/lib/apt/lists/*
  mv "$root_cache.tmp" "$root_cache"
fi

if [ ! -d "$layout_cache" ]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  umoci init --layout "$scratch/layout"
  umoci new --image "$scratch/layout:image"
  umoci unpack --image "$scratch/layout:image" "$scratch/bundle" >/dev/null
  rmdir "$scratch/bundle/rootfs"
  cp -a "$root_cache" "$scratch/bundle/rootfs"
  rootfs=$scratch/bundle/rootfs
  mkdir -p "$rootfs/data"
  cat > "$rootfs/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/sh
set -e
# As the official images do: fix the ownership of the data volume, then
# drop from root to the 'redis' user.
if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
  find /data \! -user redis -exec chown redis:redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
exec "$@"
ENTRY
  chmod 755 "$rootfs/usr/local/bin/docker-entrypoint.sh"
  umoci repack --image "$scratch/layout:image" "$scratch/bundle" >/dev/null
  umoci config --image "$scratch/layout:image" \
    --config.entrypoint=docker-entrypoint.sh \
    --config.cmd=redis-server --config.cmd=--protected-mode --config.cmd=no \
    --config.volume=/data --config.workingdir=/data --config.exposedports=6379/tcp \
    --config.env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.stopsignal=SIGTERM
  umoci gc --layout "$scratch/layout"
  mv "$scratch/layout" "$layout_cache.tmp"
  mv "$layout_cache.tmp" "$layout_cache"
fi

skopeo copy --quiet "oci:$layout_cache:image" "oci:$layout:$tag"
