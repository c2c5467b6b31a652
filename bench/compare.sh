#!/bin/bash
# Every comparison of ctapp with its peers in one go: bench/run.sh (start
# against runc run), bench/generator.sh (against Quadlet when QUADLET=/path
# is given), bench/pull.sh (against skopeo copy, and skopeo + umoci) and
# bench/unpack.sh (against umoci unpack and tar, target on tmpfs and on disk).
# Each script alternates the programs it compares; their `table` rows are
# collected into one table of medians and ratios (peer / ctapp: above 1 means
# ctapp is faster or smaller), under the versions of every program.
# Usage: [QUADLET=/path/to/quadlet] bench/compare.sh [BUILD_DIR] [RUNS]   (as root)
#   RUNS: passed to every script (default: each script's own)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(readlink -f "${1:-$here/../build}")
runs=${2:-}
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

first_line() { "$@" 2>&1 | head -1; }
versions() {
  echo "ctapp:   $(first_line "$build/helper/ctapp" --version), git $(git -C "$here/.." describe --always --dirty 2>/dev/null || echo unknown)"
  echo "runc:    $(first_line runc --version)"
  echo "skopeo:  $(first_line skopeo --version)"
  echo "umoci:   $(first_line umoci --version)"
  echo "tar:     $(first_line tar --version)"
  if [ -n "${QUADLET:-}" ]; then
    echo "quadlet: $(first_line "$QUADLET" -version) ($QUADLET)"
  else
    echo "quadlet: not given (QUADLET=/path/to/quadlet to compare the generator)"
  fi
  echo "machine: $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
}

failed=() notes=()
for script in run.sh generator.sh pull.sh unpack.sh; do
  echo "=== bench/$script" >&2
  # Each script's own report goes to stderr; its table rows are kept.
  before=$(wc -l < "$rows")
  "$here/$script" "$build" ${runs:+"$runs"} | while IFS= read -r line; do
    printf '%s\n' "$line" >&2
    case $line in table$'\t'*) printf '%s\n' "$line" >> "$rows" ;; esac
  done
  status=${PIPESTATUS[0]}
  [ "$status" -eq 0 ] || failed+=("bench/$script (exit $status)")
  [ "$(wc -l < "$rows")" -gt "$before" ] || notes+=("bench/$script printed no table rows")
done

echo
versions
echo
awk -F '\t' '
  BEGIN { printf "%-42s %10s  %-28s %10s  %10s  %s\n", "what", "ctapp", "peer", "peer value", "peer/ctapp", "unit" }
  { ratio = ($5 != "" && $3 + 0 > 0) ? sprintf("%.2fx", $5 / $3) : "-"
    printf "%-42s %10s  %-28s %10s  %10s  %s\n", $2, $3, ($4 == "" ? "-" : $4), ($5 == "" ? "-" : $5), ratio, $6 }
' "$rows"
for note in "${notes[@]}"; do echo "note: $note"; done
if [ ${#failed[@]} -gt 0 ]; then
  echo
  echo "failed: ${failed[*]}"
  exit 1
fi
