#!/bin/bash
# Builds a small busybox image offline from Debian's busybox-static, into the
# OCI layout LAYOUT under TAG (created if missing), with umoci.
# Usage: make-busybox-image.sh LAYOUT TAG [CMD...]
# The image: /bin/busybox plus applet links, /etc/passwd and /etc/group with
# root and nobody, Cmd as given (default: sh), a /data VOLUME owned by nobody.
set -euo pipefail
layout=$1
tag=$2
shift 2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
[ -f "$layout/index.json" ] || umoci init --layout "$layout"
umoci new --image "$layout:$tag"
umoci unpack --image "$layout:$tag" "$scratch/bundle" >/dev/null
root=$scratch/bundle/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/data" "$root/proc" "$root/sys" "$root/dev"
cp /bin/busybox "$root/bin/busybox"
for applet in sh echo cat ls sleep true false id chown env wget nc httpd mkdir touch kill ps hostname wc head grep; do
  ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"
chown 65534:65534 "$root/data"
umoci repack --image "$layout:$tag" "$scratch/bundle" >/dev/null

[ $# -gt 0 ] || set -- sh
cmd=()
for word in "$@"; do cmd+=("--config.cmd=$word"); done
umoci config --image "$layout:$tag" --clear=config.cmd "${cmd[@]}" \
  --config.volume=/data --config.env=PATH=/bin --config.workingdir=/ \
  --config.label=org.example.test=busybox
