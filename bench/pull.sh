#!/bin/bash
# Pulling the same images from the same local registry (Debian's
# docker-registry on 127.0.0.1) with `ctapp pull` and with `skopeo copy
# docker://… oci:…`, alternating, into empty stores; then, for the small
# image, pull + unpack: `ctapp prepare` of an app on an empty store (pull,
# unpack, config.json, overlay) against `skopeo copy` + `umoci unpack` in one
# `sh -c`, written below /var/tmp (the disk) and below /dev/shm (tmpfs).
# Prints medians (wall ms, CPU ms, peak RSS KB), ratios and `table` rows for
# bench/compare.sh.
# Usage: bench/pull.sh [BUILD_DIR] [RUNS]     (as root)
#   RUNS: runs per comparison (default: 21 for the small image, 7 for the large)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_init "" "$@"
registry_pid=""
root=$scratch/root
trap '"$ctapp" --root "$root" cleanup small >/dev/null 2>&1 || true
      [ -n "$registry_pid" ] && kill "$registry_pid"; rm -rf "$scratch"' EXIT

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s/registry}}\nhttp: {addr: "127.0.0.1:%s"}\n' \
  "$scratch" "$port" > "$scratch/registry.yml"
docker-registry serve "$scratch/registry.yml" >/dev/null 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
"$here/../tests/images/make-busybox-image.sh" "$scratch/layout" small sh >/dev/null
"$here/../tests/images/make-valkey-like-image.sh" "$scratch/layout" large >/dev/null
for tag in small large; do
  skopeo copy --quiet --dest-tls-verify=false "oci:$scratch/layout:$tag" "docker://127.0.0.1:$port/bench/$tag:1"
done
mkdir -p "$root/etc/containers" "$root/etc/containers.d"
printf '[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$port" > "$root/etc/containers/registries.conf"
printf 'image = "127.0.0.1:%s/bench/small:1"\n[run]\ncommand = ["true"]\n' "$port" > "$root/etc/containers.d/small.ctapp"

rows=()
for tag in small large; do
  n=$runs
  [ -n "$n" ] || { [ $tag = small ] && n=21 || n=7; }
  ctapp_runs=() skopeo_runs=()
  for _ in $(seq "$n"); do
    rm -rf "$root/var/lib/ctapp/images"
    measure ctapp_runs "$ctapp" --root "$root" pull "127.0.0.1:$port/bench/$tag:1"
    rm -rf "$scratch/skopeo"
    measure skopeo_runs skopeo copy --quiet --src-tls-verify=false \
      "docker://127.0.0.1:$port/bench/$tag:1" "oci:$scratch/skopeo:$tag"
  done
  c=$(median 1 "${ctapp_runs[@]}"); s=$(median 1 "${skopeo_runs[@]}")
  echo "$tag image, pull, median of $n runs:"
  echo "  ctapp pull    ${c} ms  peak RSS $(median 2 "${ctapp_runs[@]}") KB"
  echo "  skopeo copy   ${s} ms  peak RSS $(median 2 "${skopeo_runs[@]}") KB"
  echo "  skopeo/ctapp $(ratio "$s" "$c")x"
  rows+=("$(table "pull $tag image" "$c" "skopeo copy" "$s" ms)")
  rows+=("$(table "pull $tag image, peak RSS" "$(median 2 "${ctapp_runs[@]}")" "skopeo copy" "$(median 2 "${skopeo_runs[@]}")" KB)")
done

# Pull + unpack, with the store and the target on the disk and on tmpfs
# (what the CPU costs; ctapp fsyncs what it writes, skopeo and umoci do not).
shm=$(mktemp -d -p /dev/shm ctapp-bench.XXXXXX)
trap '"$ctapp" --root "$root" cleanup small >/dev/null 2>&1 || true
      "$ctapp" --root "$shm/root" cleanup small >/dev/null 2>&1 || true
      [ -n "$registry_pid" ] && kill "$registry_pid"; rm -rf "$scratch" "$shm"' EXIT
cp -a "$root" "$shm/root"
# On the disk also ctapp with fsync()/syncfs() made no-ops by eatmydata: the
# difference to the ctapp row is what its durability costs.
nosync=""
command -v eatmydata >/dev/null && nosync=eatmydata ||
  echo "eatmydata is not installed (apt-get install eatmydata): no row without durability"
# As in unpack.sh, nothing is deleted until the end: ext4 skips inodes freed
# in the last seconds when it allocates new ones (recently_deleted()), so an
# `rm -rf` of the previous run's trees slowed whichever program came next.
# Earlier trees are renamed aside instead, and the peers write to new paths.
moved=0
empty_store() {
  moved=$((moved + 1))
  mkdir -p "$base/old/$moved"
  for dir in var/lib/ctapp/images var/lib/ctapp/versions opt/containers; do
    if [ -e "$base/root/$dir" ]; then mv "$base/root/$dir" "$base/old/$moved/$(basename "$dir")"; fi
  done
}
n=${runs:-21}
for place in disk tmpfs; do
  [ $place = disk ] && base=$scratch || base=$shm
  ctapp_runs=() peer_runs=() nosync_runs=()
  for i in $(seq "$n"); do
    empty_store
    measure ctapp_runs "$ctapp" --root "$base/root" prepare small
    "$ctapp" --root "$base/root" cleanup small
    if [ $place = disk ] && [ -n "$nosync" ]; then
      empty_store
      measure nosync_runs "$nosync" "$ctapp" --root "$base/root" prepare small
      "$ctapp" --root "$base/root" cleanup small
    fi
    measure peer_runs sh -c 'skopeo copy --quiet --src-tls-verify=false "$1" "oci:$2" && umoci unpack --image "$2" "$3"' \
      sh "docker://127.0.0.1:$port/bench/small:1" "$base/old/skopeo-$i:small" "$base/old/umoci-$i"
  done
  c=$(median 1 "${ctapp_runs[@]}"); p=$(median 1 "${peer_runs[@]}")
  echo "small image, pull + unpack on $place, median of $n runs (wall ms, CPU ms, peak RSS KB):"
  echo "  ctapp prepare (empty store)   $c  $(median 3 "${ctapp_runs[@]}")  $(median 2 "${ctapp_runs[@]}")"
  echo "  skopeo copy + umoci unpack    $p  $(median 3 "${peer_runs[@]}")  $(median 2 "${peer_runs[@]}")"
  echo "  peer/ctapp $(ratio "$p" "$c")x"
  rows+=("$(table "pull + unpack small image, $place" "$c" "skopeo copy + umoci unpack" "$p" ms)")
  if [ ${#nosync_runs[@]} -gt 0 ]; then
    u=$(median 1 "${nosync_runs[@]}")
    echo "  ctapp prepare, no fsync       $u  $(median 3 "${nosync_runs[@]}")  $(median 2 "${nosync_runs[@]}")   (eatmydata)"
    echo "  peer/(ctapp, no fsync) $(ratio "$p" "$u")x"
    rows+=("$(table "pull + unpack small image, $place, ctapp without fsync (eatmydata)" "$u" "skopeo copy + umoci unpack" "$p" ms)")
  fi
  rows+=("$(table "pull + unpack small image, $place, CPU" "$(median 3 "${ctapp_runs[@]}")" "skopeo copy + umoci unpack" "$(median 3 "${peer_runs[@]}")" ms)")
done
printf '%s\n' "${rows[@]}"
