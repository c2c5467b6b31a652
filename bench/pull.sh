#!/bin/bash
# Pulling the same images from the same local registry (Debian's
# docker-registry on 127.0.0.1) with `ctapp pull` and with `skopeo copy
# docker://… oci:…`, alternating, into empty stores, RUNS times each.
# Prints medians, ratios and peak RSS.
# Usage: bench/pull.sh [BUILD_DIR] [RUNS]     (as root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_init 5 "$@"
registry_pid=""
trap '[ -n "$registry_pid" ] && kill "$registry_pid"; rm -rf "$scratch"' EXIT

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
mkdir -p "$scratch/root/etc/containers"
printf '[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$port" > "$scratch/root/etc/containers/registries.conf"

for tag in small large; do
  ctapp_runs=() skopeo_runs=()
  for _ in $(seq "$runs"); do
    rm -rf "$scratch/root/var/lib/ctapp/images"
    measure ctapp_runs "$ctapp" --root "$scratch/root" pull "127.0.0.1:$port/bench/$tag:1"
    rm -rf "$scratch/skopeo"
    measure skopeo_runs skopeo copy --quiet --src-tls-verify=false \
      "docker://127.0.0.1:$port/bench/$tag:1" "oci:$scratch/skopeo:$tag"
  done
  c=$(median 1 "${ctapp_runs[@]}"); s=$(median 1 "${skopeo_runs[@]}")
  echo "$tag image, median of $runs runs:"
  echo "  ctapp pull    ${c} s  peak RSS $(median 2 "${ctapp_runs[@]}") KB"
  echo "  skopeo copy   ${s} s  peak RSS $(median 2 "${skopeo_runs[@]}") KB"
  echo "  skopeo/ctapp $(ratio "$s" "$c")x"
done
