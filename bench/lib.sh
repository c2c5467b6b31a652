# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the benchmarks: wall time, peak RSS and CPU time of one
# command, medians, ratios and the machine-readable `table` rows that
# bench/compare.sh collects.

# bench_init DEFAULT_RUNS [BUILD_DIR] [RUNS]: the usual arguments of a
# benchmark; sets build, runs, ctapp and a fresh scratch directory.
bench_init() {
  build=$(readlink -f "${2:-$here/../build}")
  runs=${3:-$1}
  ctapp=$build/helper/ctapp
  scratch=$(mktemp -d /var/tmp/ctapp-bench.XXXXXX)
  measure_tool
}

# measure_tool: compiles bench/measure.c once per scratch directory (a C
# parent: see there why not Python or /usr/bin/time).
measure_tool() {
  [ -n "${measure_bin:-}" ] && [ -x "$measure_bin" ] && return 0
  local dir=${scratch:-${TMPDIR:-/tmp}}
  measure_bin=$dir/measure
  cc -O2 -o "$measure_bin" "$(dirname "${BASH_SOURCE[0]}")/measure.c"
}

# measure OUT_VAR COMMAND...: runs COMMAND (output discarded), appends
# "MS KB CPU_MS" to the array named OUT_VAR: wall milliseconds with one
# decimal from a monotonic clock, peak RSS in KB, CPU milliseconds. Fails
# when COMMAND failed (after appending), so a benchmark under `set -e` stops
# instead of reporting the time of a failure.
measure() {
  local out=$1
  shift
  measure_tool
  local stats status=0
  stats=$("$measure_bin" "$@") || status=$?
  eval "$out+=(\"\$stats\")"
  return "$status"
}

# median COLUMN VALUES...: the median of column 1 (ms), 2 (KB) or 3 (CPU ms).
median() {
  local column=$1
  shift
  printf '%s\n' "$@" | awk -v c="$column" '{print $c}' | sort -g |
    awk '{a[NR]=$1} END{ if (NR % 2) print a[(NR+1)/2]; else { m = (a[NR/2] + a[NR/2+1]) / 2; if (m == int(m)) print m; else printf "%.2f\n", m } }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

# table WHAT CTAPP_VALUE PEER_NAME PEER_VALUE UNIT: one machine-readable row
# for bench/compare.sh (peer fields empty when there is no peer).
table() { printf 'table\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"; }
