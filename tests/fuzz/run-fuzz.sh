#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-fuzz.sh FUZZER SEED_CORPUS: fuzzes for $FUZZ_SECONDS (default 60)
# starting from the corpus kept in the tree, which it only reads; new inputs
# go to a scratch directory removed at the end. A crash, leak, sanitizer
# report or timeout fails the test and prints the input as base64.
set -eu
fuzzer=$1
seeds=$2
seconds=${FUZZ_SECONDS:-60}
work=$(mktemp -d /var/tmp/ctapp-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
symbolizer=/usr/lib/llvm-16/bin/llvm-symbolizer
[ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$symbolizer"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$seeds" >"$work/log" 2>&1 || status=$?
tail -n 40 "$work/log"
for artifact in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
  [ -e "$artifact" ] || continue
  echo "input that failed ($(basename "$artifact")), base64:"
  base64 -w0 "$artifact"; echo
done
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
echo "$(basename "$fuzzer"): ${runs:-?} inputs in ${seconds} s, exit status $status"
# libFuzzer exits 77 on some findings, which meson would take for "skipped".
[ "$status" -eq 0 ] || exit 1
