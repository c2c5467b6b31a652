#!/bin/bash
# Unpacking the same image with ctapp (`ctapp prepare`: unpack, config.json,
# overlay), with `umoci unpack` (unpack and config.json), and with
# `tar -xzf` of the same layer blobs in order (a floor: no whiteouts, no
# checks, no fsync), alternating, with the target on tmpfs (/dev/shm: what
# the CPU costs) and on the disk (/var/tmp: ctapp also fsyncs the new rootfs
# before its rename; umoci and tar do not). Prints medians (wall ms, peak
# RSS KB), ratios and `table` rows for bench/compare.sh. Needs room for every
# run's tree (about 3 GB on /var/tmp and on /dev/shm with the default runs).
# Usage: bench/unpack.sh [BUILD_DIR] [RUNS]     (as root)
#   RUNS: runs per image and place (default: 21 for the small image, 7 for the large)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_init "" "$@"
shm=$(mktemp -d -p /dev/shm ctapp-bench.XXXXXX)
trap 'for r in "$scratch/root" "$shm/root"; do for a in small large; do "$ctapp" --root "$r" cleanup $a >/dev/null 2>&1 || true; done; done
      rm -rf "$scratch" "$shm"' EXIT

layout=$scratch/layout
"$here/../tests/images/make-busybox-image.sh" "$layout" small sh >/dev/null
"$here/../tests/images/make-valkey-like-image.sh" "$layout" large >/dev/null

layers_of() {  # TAG: the layer blob paths, in order
  /usr/bin/python3 - "$layout" "$1" <<'PY'
import json, sys
layout, tag = sys.argv[1], sys.argv[2]
index = json.load(open(f"{layout}/index.json"))
digest = [m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag][-1]["digest"]
manifest = json.load(open(f"{layout}/blobs/sha256/{digest[7:]}"))
print(" ".join(f"{layout}/blobs/sha256/{l['digest'][7:]}" for l in manifest["layers"]))
PY
}

rows=()
for place in tmpfs disk; do
  [ $place = tmpfs ] && base=$shm || base=$scratch
  root=$base/root
  mkdir -p "$root/etc/containers.d"
  for tag in small large; do
    printf 'image = "oci:%s:%s"\n[run]\ncommand = ["true"]\n' "$layout" "$tag" > "$root/etc/containers.d/$tag.ctapp"
    "$ctapp" --root "$root" prepare "$tag" >/dev/null 2>&1   # imports into the store once
    "$ctapp" --root "$root" cleanup "$tag"
  done
  for tag in small large; do
    n=$runs
    [ -n "$n" ] || { [ $tag = small ] && n=21 || n=7; }
    ctapp_runs=() umoci_runs=() tar_runs=()
    blobs=$(layers_of "$tag")
    size=$(du -sb $blobs | awk '{s+=$1} END{printf "%.1f MB", s/1e6}')
    # Nothing is deleted until the end: ext4 skips inodes freed in the last
    # seconds when it allocates new ones (recently_deleted() in the kernel),
    # and an `rm -rf` of the previous tree made whichever program came next
    # spend seconds of CPU in that scan (57% of ctapp's CPU in one profile).
    # Earlier trees are renamed out of the way instead.
    mkdir -p "$base/old"
    for i in $(seq "$n"); do
      for dir in "$root/opt/containers/$tag-$tag-"*; do
        [ -e "$dir" ] && mv "$dir" "$base/old/ctapp-$tag-$i"
      done
      rm -f "$root/var/lib/ctapp/versions/$tag"
      measure ctapp_runs "$ctapp" --root "$root" prepare "$tag"
      "$ctapp" --root "$root" cleanup "$tag"
      measure umoci_runs umoci unpack --image "$layout:$tag" "$base/old/umoci-$tag-$i"
      measure tar_runs sh -c 'mkdir -p "$0" && for b in "$@"; do tar -xzf "$b" -C "$0"; done' \
        "$base/old/tar-$tag-$i" $blobs
    done
    c=$(median 1 "${ctapp_runs[@]}"); u=$(median 1 "${umoci_runs[@]}"); t=$(median 1 "${tar_runs[@]}")
    echo "$tag image ($size of layers), target on $place, median of $n runs:"
    echo "  ctapp prepare  ${c} ms  peak RSS $(median 2 "${ctapp_runs[@]}") KB"
    echo "  umoci unpack   ${u} ms  peak RSS $(median 2 "${umoci_runs[@]}") KB"
    echo "  tar -xzf       ${t} ms"
    echo "  umoci/ctapp $(ratio "$u" "$c")x   tar/ctapp $(ratio "$t" "$c")x"
    rows+=("$(table "unpack $tag image, $place" "$c" "umoci unpack" "$u" ms)")
    rows+=("$(table "unpack $tag image, $place" "$c" "tar -xzf (floor)" "$t" ms)")
    rows+=("$(table "unpack $tag image, $place, peak RSS" "$(median 2 "${ctapp_runs[@]}")" "umoci unpack" "$(median 2 "${umoci_runs[@]}")" KB)")
  done
done
printf '%s\n' "${rows[@]}"
