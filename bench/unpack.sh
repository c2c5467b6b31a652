#!/bin/bash
# Unpacking the same image with ctapp (`ctapp prepare`: unpack, config.json,
# overlay), with `umoci unpack` (unpack and config.json), and with
# `tar -xzf` of the same layer blobs in order (a floor: no whiteouts, no
# checks), alternating, RUNS times each. Prints medians and ratios.
# Usage: bench/unpack.sh [BUILD_DIR] [RUNS]     (as root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_init 5 "$@"
trap 'for a in small large; do "$ctapp" --root "$scratch/root" cleanup $a >/dev/null 2>&1 || true; done; rm -rf "$scratch"' EXIT

layout=$scratch/layout
"$here/../tests/images/make-busybox-image.sh" "$layout" small sh >/dev/null
"$here/../tests/images/make-valkey-like-image.sh" "$layout" large >/dev/null
mkdir -p "$scratch/root/etc/containers.d"
for tag in small large; do
  printf 'image = "oci:%s:%s"\n[run]\ncommand = ["true"]\n' "$layout" "$tag" > "$scratch/root/etc/containers.d/$tag.ctapp"
  "$ctapp" --root "$scratch/root" prepare "$tag" >/dev/null 2>&1   # imports into the store once
  "$ctapp" --root "$scratch/root" cleanup "$tag"
done

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

for tag in small large; do
  ctapp_runs=() umoci_runs=() tar_runs=()
  blobs=$(layers_of "$tag")
  size=$(du -sb $blobs | awk '{s+=$1} END{printf "%.1f MB", s/1e6}')
  for _ in $(seq "$runs"); do
    rm -rf "$scratch/root/opt/containers/$tag-$tag-"* "$scratch/root/var/lib/ctapp/versions/$tag"
    measure ctapp_runs "$ctapp" --root "$scratch/root" prepare "$tag"
    "$ctapp" --root "$scratch/root" cleanup "$tag"
    rm -rf "$scratch/umoci"
    measure umoci_runs umoci unpack --image "$layout:$tag" "$scratch/umoci"
    rm -rf "$scratch/tar"
    measure tar_runs bash -c 'mkdir -p "$0" && for b in "$@"; do tar -xzf "$b" -C "$0"; done' \
      "$scratch/tar" $blobs
  done
  c=$(median 1 "${ctapp_runs[@]}"); u=$(median 1 "${umoci_runs[@]}"); t=$(median 1 "${tar_runs[@]}")
  echo "$tag image ($size of layers), median of $runs runs:"
  echo "  ctapp prepare  ${c} s  peak RSS $(median 2 "${ctapp_runs[@]}") KB"
  echo "  umoci unpack   ${u} s  peak RSS $(median 2 "${umoci_runs[@]}") KB"
  echo "  tar -xzf       ${t} s"
  echo "  umoci/ctapp $(ratio "$u" "$c")x   ctapp/tar $(ratio "$c" "$t")x"
done
