#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite, as CI runs it (README's second command), in three
# build directories:
#   build-test  g++, warnings as errors: unit, golden, integration, e2e
#               (and, in the vm lane, the VM cases: qemu with its own kernel)
#   build-asan  g++ with AddressSanitizer + UndefinedBehaviorSanitizer:
#               unit, golden and integration (the e2e guest runs build-test's
#               install; the sanitizer runtimes are not in the guest)
#   build-fuzz  clang 16 + libFuzzer: every tests/fuzz target for
#               $FUZZ_SECONDS (default 60) from its corpus in the tree
# Every lane runs even when an earlier one failed; the exit status is 1 if
# any failed. LANES="test asan fuzz vm" (the default) picks lanes.
set -u
cd "$(dirname "$0")/.."
lanes=${LANES:-test asan fuzz vm}
guest_log=$(mktemp /var/tmp/ctapp-guests.XXXXXX)
trap 'rm -f "$guest_log"' EXIT
failed=""
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

lane() {  # NAME COMMAND...
  name=$1
  shift
  echo "=== lane $name"
  started=$(date +%s)
  if "$@"; then
    echo "=== lane $name passed in $(($(date +%s) - started)) s"
  else
    echo "=== lane $name FAILED after $(($(date +%s) - started)) s"
    failed="$failed $name"
  fi
}

# Debug info only as line tables (-g1): full -g of this template-heavy code
# costs a third of the -O2 build and two thirds of the sanitizer build, and
# CI reads stack traces, not variables. The sanitizer lane compiles at -O0:
# the checks are the same, and a cold build here took 7m40s against 12m57s at
# -O1 (25 min at -O2 -g); its tests are slower where ctapp's own code does
# the work (the unpack comparison with umoci: 79 s, 12 s in the plain lane).
# The fuzz lane stays at -O1: there speed is coverage.
# The e2e suite starts with the Debian package's compile (on the CPU) beside
# the debootstrap of its guest root (on the network and disk): the OpenRC
# guest's root and the VM image (when the vm lane runs) are debootstrapped
# beside them too (tests/cache-guests.sh; their tests wait on the cache's
# locks), and not while the integration tests, which wait on timing, run.
test_lane() {
  rm -rf build-test && meson setup build-test -Dwerror=true -Dcpp_args=-g1 >/dev/null || return 1
  status=0
  meson test -C build-test --print-errorlogs --no-suite vm --no-suite e2e || status=1
  guests=openrc
  case " $lanes " in *" vm "*) guests="$guests vm" ;; esac
  # shellcheck disable=SC2086
  tests/cache-guests.sh $guests >"$guest_log" 2>&1 &
  meson test -C build-test --print-errorlogs --suite e2e || status=1
  wait $!
  grep -E "ready in|FAILED" "$guest_log"
  return $status
}

asan_lane() {
  rm -rf build-asan && meson setup build-asan -Dwerror=true -Db_sanitize=address,undefined \
      -Doptimization=0 -Dcpp_args=-g1 >/dev/null &&
    meson test -C build-asan --print-errorlogs --suite unit --suite golden --suite integration
}

fuzz_lane() {
  rm -rf build-fuzz &&
    CXX=clang++-16 meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
      -Db_lundef=false -Doptimization=1 -Dcpp_args=-gline-tables-only >/dev/null &&
    meson compile -C build-fuzz fuzz >/dev/null &&
    meson test -C build-fuzz --no-rebuild --print-errorlogs --suite fuzz
}

# The VM cases (tests/vm: cgroup v2 limits, OOM kills, crun) on build-test's
# binaries when the test lane made them, else on a build of their own.
vm_lane() {
  dir=build-test
  if [ ! -f build-test/build.ninja ]; then
    dir=build-vm
    rm -rf build-vm && meson setup build-vm -Dwerror=true -Dcpp_args=-g1 >/dev/null || return 1
  fi
  meson test -C "$dir" --print-errorlogs --suite vm
}

for name in $lanes; do
  lane "$name" "${name}_lane"
done
if [ -n "$failed" ]; then
  echo "failed lanes:$failed"
  exit 1
fi
echo "all lanes passed: $lanes"
