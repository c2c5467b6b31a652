#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fills the test cache (CTAPP_TEST_CACHE, default /var/cache/ctapp-test)
# with the guest roots the named tests boot, as they would on first use:
# e2e (the systemd guest, also the preload e2e's), openrc, vm (the VM image).
# tests/run-all.sh runs it beside the e2e test's package build, so these
# debootstraps cost no time on the lanes' way; the tests' own calls wait for
# it (cached_dir's lock).
# Usage: tests/cache-guests.sh [e2e] [openrc] [vm]
set -u
here=$(dirname "$(readlink -f "$0")")
. "$here/vm/harness.sh"
. "$here/openrc/root.sh"
status=0
for guest in "$@"; do
  start=$(date +%s)
  case $guest in
    e2e) dir=$(guest_base) ;;
    openrc) dir=$(openrc_base) ;;
    vm) dir=$(vm_image) ;;
    *) echo "$0: unknown guest '$guest' (e2e, openrc or vm)" >&2; exit 2 ;;
  esac || { echo "$guest: FAILED"; status=1; continue; }
  echo "$guest: $dir ready in $(( $(date +%s) - start )) s"
done
exit $status
