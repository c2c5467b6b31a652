# SPDX-License-Identifier: LGPL-2.1-or-later
# Boots a throw-away Debian 12 virtual machine (qemu, software emulation:
# /dev/kvm on these machines runs only patched guest kernels) with its own
# kernel, systemd as PID 1 on the unified cgroup hierarchy with every
# controller. The disk is a copy-on-write qcow2 overlay of a cached ext4
# image; the run's files come in on a second disk (a tar archive) and the
# results go out on a third (plain text). Sourced by run-vm.sh.

here_vm=$(dirname "${BASH_SOURCE[0]}")
. "$here_vm/../e2e/harness.sh"

# The nspawn guest's packages plus a kernel (its initramfs mounts the ext4
# root from virtio-blk; kmod and udev load the modules), and crun.
VM_PACKAGES="$E2E_PACKAGES,linux-image-amd64,initramfs-tools,kmod,udev,crun"

# Drivers a virtio VM never needs: deleting them makes the image 60% smaller
# and mkfs faster.
VM_UNNEEDED_MODULES="drivers/gpu drivers/net/wireless drivers/net/ethernet drivers/media
  drivers/infiniband drivers/staging drivers/usb drivers/bluetooth drivers/iio drivers/hid
  drivers/scsi sound net/wireless net/bluetooth net/mac80211"

# The guest's side of the lane: a unit that unpacks the run's files from
# /dev/vdb and runs /vm/run-cases.sh, which writes its results to /dev/vdc
# and powers the machine off.
vm_guest_setup() {  # ROOT
  local root=$1 modules version dir unit
  echo "ctapp-vm" > "$root/etc/hostname"
  for unit in serial-getty@ttyS0 getty@tty1 apt-daily.timer apt-daily-upgrade.timer \
    e2scrub_all.timer e2scrub_reap fstrim.timer; do
    case "$unit" in *.*) ;; *) unit=$unit.service ;; esac
    ln -sf /dev/null "$root/etc/systemd/system/$unit"
  done
  # A small initramfs: only what mounts the root (the default, every
  # driver, takes two minutes to make).
  echo "MODULES=list" > "$root/etc/initramfs-tools/conf.d/ctapp-vm"
  printf '%s\n' virtio_pci virtio_blk crc32c_generic ext4 > "$root/etc/initramfs-tools/modules"
  for modules in "$root"/lib/modules/*; do
    version=$(basename "$modules")
    for dir in $VM_UNNEEDED_MODULES; do rm -rf "${modules:?}/kernel/$dir"; done
    chroot "$root" depmod "$version" || return 1
    chroot "$root" update-initramfs -c -k "$version" >&2 || return 1
  done
  install -m 0644 "$here_vm/guest/ctapp-vm.service" "$root/etc/systemd/system/"
  mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
  ln -sf ../ctapp-vm.service "$root/etc/systemd/system/multi-user.target.wants/ctapp-vm.service"
}

# vm_image: the cached image directory (root.img, vmlinuz, initrd.img),
# keyed by the package list and the guest set-up; built once (cached_dir).
# Never modified afterwards.
vm_image() {
  local key dir
  key=$( (echo "$VM_PACKAGES $VM_UNNEEDED_MODULES"; declare -f vm_guest_setup;
          cat "$here_vm/guest/ctapp-vm.service") | sha256sum | cut -c1-12)
  dir=$E2E_CACHE/vm-image-$key
  cached_dir "$dir" vm_image_build || return 1
  echo "$dir"
}

# vm_image_build DIR: debootstrap, module trimming, mkfs.ext4 -d.
vm_image_build() {
  local dir=$1 root=$1/root size
  mkdir -p "$dir"
  # INITRD=No: the kernel's postinst makes no initramfs; vm_guest_setup
  # makes a small one.
  INITRD=No debootstrap_root "$VM_PACKAGES" "$root" && vm_guest_setup "$root" || return 1
  cp "$root"/boot/vmlinuz-* "$dir/vmlinuz" && cp "$root"/boot/initrd.img-* "$dir/initrd.img" ||
    { echo "the VM root has no kernel or initramfs in /boot" >&2; return 1; }
  # The root's size plus 2 GiB for the run's images, overlays and journal
  # (the file is sparse; a run's writes go to its qcow2 overlay).
  size=$(( $(du -sm "$root" | cut -f1) + 2048 ))M
  mkfs.ext4 -q -F -L ctapp-vm -d "$root" "$dir/root.img" "$size" >&2 || return 1
  rm -rf "$root"
}

# vm_run WORKDIR IMAGE_DIR INPUT_TAR TIMEOUT: boots the VM on a qcow2 overlay
# of IMAGE_DIR/root.img with INPUT_TAR as /dev/vdb and WORKDIR/results.img
# (zeros) as /dev/vdc; waits for it to power off, at most TIMEOUT seconds,
# then kills qemu. The console goes to WORKDIR/console.log. Fails if the
# machine had to be killed.
vm_run() {
  local work=$1 image=$2 input=$3 timeout=$4 waited=0
  qemu-img create -q -f qcow2 -F raw -b "$image/root.img" "$work/disk.qcow2" || return 1
  rm -f "$work/results.img"
  truncate -s 8M "$work/results.img"
  qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m 2048 \
    -display none -monitor none -serial "file:$work/console.log" -nic none -no-reboot \
    -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 quiet systemd.unified_cgroup_hierarchy=1 panic=-1" \
    -drive "file=$work/disk.qcow2,format=qcow2,if=virtio" \
    -drive "file=$input,format=raw,if=virtio,readonly=on" \
    -drive "file=$work/results.img,format=raw,if=virtio" \
    < /dev/null > "$work/qemu.log" 2>&1 &
  VM_QEMU=$!
  while kill -0 "$VM_QEMU" 2>/dev/null && [ "$waited" -lt "$timeout" ]; do
    sleep 1
    waited=$((waited + 1))
  done
  if kill -0 "$VM_QEMU" 2>/dev/null; then
    echo "the VM did not power off within $timeout s; killed qemu (pid $VM_QEMU)"
    vm_kill
    return 1
  fi
  wait "$VM_QEMU"
  local status=$?
  VM_QEMU=""
  [ "$status" -eq 0 ] || { echo "qemu exited with status $status: $(cat "$work/qemu.log")"; return 1; }
}

# For the EXIT trap: a qemu still running is killed by its PID.
vm_kill() {
  [ -n "${VM_QEMU:-}" ] || return 0
  kill -KILL "$VM_QEMU" 2>/dev/null
  wait "$VM_QEMU" 2>/dev/null
  VM_QEMU=""
}

# What the guest wrote to /dev/vdc (text, padded with zeros).
vm_results() {
  tr -d '\000' < "$1/results.img"
}
