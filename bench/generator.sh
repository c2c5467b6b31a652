#!/bin/bash
# ctapp-generator over 0, 1, 10, 100 and 1000 generated .ctapp files, and,
# when QUADLET=/path/to/quadlet is given, Podman's Quadlet over the same apps
# written as .container files; alternating, each into an emptied output
# directory on tmpfs (/dev/shm), as systemd hands generators
# /run/systemd/generator*. Prints medians of CPU time, wall time and peak
# RSS, and `table` rows for bench/compare.sh.
# Usage: [QUADLET=/path] bench/generator.sh [BUILD_DIR] [RUNS]
#   RUNS: runs per size (default: 101 up to 10 files, 41 at 100, 21 at 1000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=$(readlink -f "${1:-$here/../build}")
fixed_runs=${2:-}
generator=$build/generator/ctapp-generator
[ -x "$generator" ] || { echo "build first: meson compile -C $build" >&2; exit 1; }
quadlet=${QUADLET:-}
[ -z "$quadlet" ] || quadlet=$(readlink -f "$quadlet")
scratch=$(mktemp -d -p /dev/shm ctapp-bench.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
measure_tool
if [ -z "$quadlet" ]; then
  echo "Quadlet: not given (QUADLET=/path/to/quadlet to compare); ctapp-generator alone"
fi

# make_apps COUNT: the same COUNT apps as NAME.ctapp and as NAME.container.
make_apps() {
  local count=$1 i=0
  mkdir -p "$scratch/ctapp-$count" "$scratch/quadlet-$count"
  while [ $i -lt "$count" ]; do
    local port=$((8000 + i % 1000)) next=app$(( (i + 1) % count ))
    cat > "$scratch/ctapp-$count/app$i.ctapp" <<APP
image = "registry.example/team/app$i:1.$i"
[run]
command = ["/bin/server", "--port", "$port"]
env = { TZ = "UTC", MODE = "production" }
[[volume]]
target = "/data"
[service]
restart = "on-failure"
wanted_by = ["multi-user.target"]
after = ["$next"]
[resources]
memory_max = "512M"
[systemd.Service]
LimitNOFILE = 65536
APP
    cat > "$scratch/quadlet-$count/app$i.container" <<APP
[Container]
Image=registry.example/team/app$i:1.$i
Exec=/bin/server --port $port
Environment=TZ=UTC MODE=production
Volume=/data
[Unit]
After=$next.service
[Service]
Restart=on-failure
MemoryMax=512M
LimitNOFILE=65536
[Install]
WantedBy=multi-user.target
APP
    i=$((i + 1))
  done
}

# The generator reads no image store: an empty root keeps /var/lib/ctapp of
# this machine out of it.
export CTAPP_ROOT=$scratch/root
out=$scratch/out
rows=()
for count in 0 1 10 100 1000; do
  make_apps "$count"
  runs=$fixed_runs
  [ -n "$runs" ] || { if [ "$count" -le 10 ]; then runs=101; elif [ "$count" -le 100 ]; then runs=41; else runs=21; fi; }
  ctapp_runs=() quadlet_runs=()
  for _ in $(seq "$runs"); do
    rm -rf "$out"; mkdir "$out"
    CTAPP_CONFIG_PATH=$scratch/ctapp-$count measure ctapp_runs "$generator" "$out" "$out" "$out"
    if [ -n "$quadlet" ]; then
      rm -rf "$out"; mkdir "$out"
      QUADLET_UNIT_DIRS=$scratch/quadlet-$count measure quadlet_runs "$quadlet" -no-kmsg-log "$out" "$out" "$out"
    fi
  done
  rm -rf "$out"; mkdir "$out"
  CTAPP_CONFIG_PATH=$scratch/ctapp-$count "$generator" "$out" "$out" "$out"
  written=$(find "$out" -name 50-ctapp.conf | wc -l)
  [ "$written" -eq "$count" ] || { echo "ctapp-generator wrote $written of $count drop-ins" >&2; exit 1; }
  echo "$count files, median of $runs runs (CPU ms, wall ms, peak RSS KB):"
  echo "  ctapp-generator  $(median 3 "${ctapp_runs[@]}")  $(median 1 "${ctapp_runs[@]}")  $(median 2 "${ctapp_runs[@]}")"
  cpu=$(median 3 "${ctapp_runs[@]}") wall=$(median 1 "${ctapp_runs[@]}") rss=$(median 2 "${ctapp_runs[@]}")
  qcpu="" qwall="" qrss="" peer=""
  if [ -n "$quadlet" ]; then
    qcpu=$(median 3 "${quadlet_runs[@]}") qwall=$(median 1 "${quadlet_runs[@]}") qrss=$(median 2 "${quadlet_runs[@]}")
    peer=quadlet
    echo "  quadlet          $qcpu  $qwall  $qrss"
    echo "  quadlet/ctapp    CPU $(ratio "$qcpu" "$cpu")x  wall $(ratio "$qwall" "$wall")x  RSS $(ratio "$qrss" "$rss")x"
  fi
  rows+=("$(table "generator $count files, CPU" "$cpu" "$peer" "$qcpu" ms)")
  rows+=("$(table "generator $count files, wall" "$wall" "$peer" "$qwall" ms)")
  rows+=("$(table "generator $count files, peak RSS" "$rss" "$peer" "$qrss" KB)")
done
printf '%s\n' "${rows[@]}"
