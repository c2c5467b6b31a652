#!/bin/bash
# `ctapp update --all` when nothing changed, for 20 apps on one tag each of
# a local registry (Debian's docker-registry on 127.0.0.1): the time of the
# whole run (median of RUNS) and the registry requests it made per app,
# counted from the registry's access log.
# Usage: bench/update.sh [BUILD_DIR] [RUNS]     (as root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_init 5 "$@"
apps=20
registry_pid=""
trap '[ -n "$registry_pid" ] && kill "$registry_pid"; rm -rf "$scratch"' EXIT

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s/registry}}\nhttp: {addr: "127.0.0.1:%s"}\n' \
  "$scratch" "$port" > "$scratch/registry.yml"
docker-registry serve "$scratch/registry.yml" > "$scratch/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
"$here/../tests/images/make-busybox-image.sh" "$scratch/layout" small sh >/dev/null
root=$scratch/root
mkdir -p "$root/etc/containers" "$root/etc/containers.d"
printf '[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$port" > "$root/etc/containers/registries.conf"
for i in $(seq "$apps"); do
  skopeo copy --quiet --dest-tls-verify=false "oci:$scratch/layout:small" "docker://127.0.0.1:$port/bench/app$i:1"
  printf 'image = "127.0.0.1:%s/bench/app%s:1"\n' "$port" "$i" > "$root/etc/containers.d/app$i.ctapp"
done
# Every app updated once: now each has a current version of its tag.
"$ctapp" --root "$root" update --all >/dev/null 2>&1

lines_before=$(wc -l < "$scratch/registry.log")
runs_out=()
for _ in $(seq "$runs"); do
  measure runs_out "$ctapp" --root "$root" update --all
done
requests=$(tail -n +"$((lines_before + 1))" "$scratch/registry.log" | grep -c '"GET /v2/' || true)
manifests=$(tail -n +"$((lines_before + 1))" "$scratch/registry.log" | grep -c '"GET /v2/.*/manifests/' || true)
echo "ctapp update --all, $apps apps, nothing changed, median of $runs runs:"
echo "  $(median 1 "${runs_out[@]}") ms  peak RSS $(median 2 "${runs_out[@]}") KB"
echo "  registry requests per app and run: $(awk -v r="$requests" -v n="$((apps * runs))" 'BEGIN{printf "%.1f", r / n}')" \
  "(manifest GETs: $(awk -v r="$manifests" -v n="$((apps * runs))" 'BEGIN{printf "%.1f", r / n}'))"
