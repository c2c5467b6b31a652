#!/bin/sh
# Times ctapp-generator over 1, 100 and 1000 generated .ctapp files and prints
# the median wall time of 21 runs for each, in milliseconds. Input and output
# are on tmpfs (/dev/shm), as at boot, where systemd hands generators
# /run/systemd/generator*.
# Usage: bench/generator.sh [BUILD_DIR]   (default: build)
set -eu
build=${1:-build}
generator=$(readlink -f "$build/generator/ctapp-generator")
[ -x "$generator" ] || { echo "build first: ninja -C $build" >&2; exit 1; }
scratch=$(mktemp -d -p /dev/shm)
trap 'rm -rf "$scratch"' EXIT

for count in 1 100 1000; do
  config=$scratch/config-$count
  mkdir -p "$config"
  i=0
  while [ $i -lt $count ]; do
    cat > "$config/app$i.ctapp" <<APP
image = "registry.example/team/app$i:1.$i"
[run]
command = ["/bin/server", "--port", "$((8000 + i % 1000))"]
env = { TZ = "UTC", MODE = "production" }
[[volume]]
target = "/data"
[service]
restart = "on-failure"
wanted_by = ["multi-user.target"]
after = ["app$(( (i + 1) % count ))"]
[resources]
memory_max = "512M"
[systemd.Service]
LimitNOFILE = 65536
APP
    i=$((i + 1))
  done
  runs=""
  r=0
  while [ $r -lt 21 ]; do
    out=$scratch/out
    rm -rf "$out"; mkdir -p "$out"
    start=$(date +%s%N)
    CTAPP_CONFIG_PATH=$config "$generator" "$out" "$out" "$out"
    end=$(date +%s%N)
    runs="$runs $(( (end - start) / 1000 ))"
    r=$((r + 1))
  done
  median=$(echo $runs | tr ' ' '\n' | sort -n | sed -n 11p)
  written=$(find "$out" -name 50-ctapp.conf | wc -l)
  printf '%5d apps: median %d.%03d ms per run (21 runs, %d drop-ins written)\n' \
    "$count" $((median / 1000)) $((median % 1000)) "$written"
done
