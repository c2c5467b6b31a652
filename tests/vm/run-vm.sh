#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The VM lane: proves what needs a real kernel with every cgroup v2
# controller (resource limits enforced, OOM kills, crun), which the nspawn
# e2e guest cannot. Packs the build's install, the test image and the cases
# into a tar archive, boots one VM (tests/vm/harness.sh) that runs every case
# of cases/ as a systemd unit and powers off, and reports "N passed,
# N failed" from what the guest wrote back.
# Usage: run-vm.sh SOURCE_DIR BUILD_DIR
# VM_ONLY="GLOB..." runs only the cases whose file name matches a glob.
# VM_TIMEOUT (default 1500) is the hard limit in seconds for the whole boot.
set -u
source_dir=$(readlink -f "$1")
build_dir=$(readlink -f "$2")
here=$source_dir/tests/vm
. "$here/harness.sh"

for tool in qemu-system-x86_64 qemu-img mkfs.ext4 debootstrap umoci; do
  command -v "$tool" >/dev/null || { echo "FAILED: '$tool' is not installed (.ci/install-deps installs it)"; exit 1; }
done

work=$(mktemp -d /var/tmp/ctapp-vm.XXXXXX)
log_dir=$build_dir/meson-logs/vm
mkdir -p "$log_dir"
teardown() {
  vm_kill
  rm -rf "$work"
}
trap teardown EXIT

echo "== preparing the VM image"
start=$(date +%s)
image=$(vm_image) || { echo "FAILED: cannot build the VM image"; exit 1; }
echo "   image $image ready in $(( $(date +%s) - start )) s"

start=$(date +%s)
stage=$work/stage
mkdir -p "$stage/vm" "$stage/e2e"
meson install -C "$build_dir" --no-rebuild --quiet --destdir "$stage" >/dev/null || exit 1
"$source_dir/tests/images/make-busybox-image.sh" "$stage/srv/images" box sh >/dev/null || exit 1
cp "$source_dir/tests/e2e/guest-lib.sh" "$stage/e2e/"
cp "$here/guest/run-cases.sh" "$here/guest/vm-lib.sh" "$stage/vm/"
cp -r "$here/cases" "$stage/vm/"
[ -z "${VM_ONLY:-}" ] || echo "$VM_ONLY" > "$stage/vm/only"
# Only the entries, never "." (the stage's own mode would become /'s).
(cd "$stage" && tar -cf "$work/input.tar" --owner=0 --group=0 -- *) || exit 1
echo "   run's files packed in $(( $(date +%s) - start )) s ($(du -h "$work/input.tar" | cut -f1))"

echo "== booting the VM (qemu, software emulation)"
start=$(date +%s)
vm_run "$work" "$image" "$work/input.tar" "${VM_TIMEOUT:-1500}"
vm_status=$?
echo "== the VM ran for $(( $(date +%s) - start )) s"
cp "$work/console.log" "$log_dir/console.log"
vm_results "$work" > "$log_dir/results.txt"
cat "$log_dir/results.txt"
summary=$(grep -a '^VM-SUMMARY ' "$log_dir/results.txt" | tail -1)
if [ "$vm_status" -ne 0 ] || [ -z "$summary" ]; then
  echo "FAILED: the VM wrote no results (console: $log_dir/console.log; last lines:)"
  tail -40 "$log_dir/console.log" | sed 's/^/    | /'
  exit 1
fi
set -- $summary
echo "$2 passed, $3 failed"
[ "$3" -eq 0 ] && [ "$2" -gt 0 ]
