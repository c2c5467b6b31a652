# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the benchmarks: wall time and peak RSS of one command, medians.

# bench_init DEFAULT_RUNS [BUILD_DIR] [RUNS]: the usual arguments of a
# benchmark; sets build, runs, ctapp and a fresh scratch directory.
bench_init() {
  build=$(readlink -f "${2:-$here/../build}")
  runs=${3:-$1}
  ctapp=$build/helper/ctapp
  scratch=$(mktemp -d /var/tmp/ctapp-bench.XXXXXX)
}

# measure OUT_VAR COMMAND...: runs COMMAND (quietly), appends "MS KB" to the
# array named OUT_VAR.
measure() {
  local out=$1
  shift
  local stats file
  file=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$file" "$@" >/dev/null 2>&1 || true
  stats=$(tail -1 "$file")
  rm -f "$file"
  eval "$out+=(\"\$stats\")"
}

# median COLUMN VALUES...: the median of column 1 (seconds) or 2 (KB).
median() {
  local column=$1
  shift
  printf '%s\n' "$@" | awk -v c="$column" '{print $c}' | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
