#!/bin/bash
# [run] devices (host nodes and CDI specs) and credentials, through the real
# `ctapp` CLI with real runc, overlayfs and the device cgroup, as root.
# Usage (meson sets these): CTAPP=… CTAPP_SUPERVISE=… devices-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
export CTAPP_SUPERVISE
ROOT=$(mktemp -d /tmp/ctapp-devices.XXXXXX)
chmod 0755 "$ROOT"
loop=""
cleanup_all() {
  for app in $(ls "$ROOT/etc/containers.d" 2>/dev/null | sed 's/\.ctapp$//'); do
    "$CTAPP" --root "$ROOT" cleanup "$app" >/dev/null 2>&1
  done
  mountpoint -q "$ROOT/unit-credentials" && umount "$ROOT/unit-credentials"
  [ -n "$loop" ] && losetup -d "$loop"
  rm -rf "$ROOT"
}
trap cleanup_all EXIT
require mkdir -p "$ROOT/etc/containers.d" "$ROOT/etc/cdi" "$ROOT/secrets" "$ROOT/cdi-lib"
layout=$ROOT/images-in
require "$source_dir/tests/images/make-busybox-image.sh" "$layout" box sh >/dev/null
# A block device the container may be given: a loop device over a file
# that starts with a known text. Loop devices (major 7) are not among
# runc's default allowed devices, so only the device cgroup rule ctapp
# writes lets the container open one.
require dd if=/dev/zero of="$ROOT/disk.img" bs=1M count=1 status=none
require sh -c "printf 'hello-from-the-disk' | dd of='$ROOT/disk.img' conv=notrunc status=none"
loop=$(losetup -f --show "$ROOT/disk.img") || { echo "FAIL: losetup"; exit 1; }
loop_minor=$((16#$(stat -c %T "$loop")))
other_minor=$((loop_minor + 1))

ctapp() { "$CTAPP" --root "$ROOT" "$@"; }

write_app() {  # NAME BODY
  printf 'image = "oci:%s:box"\n%s\n' "$layout" "$2" > "$ROOT/etc/containers.d/$1.ctapp"
}

test_a_given_device_is_readable_and_writable_at_its_container_path() {
  write_app disk "[run]
devices = [\"$loop:/dev/xvdc:rw\"]
command = [\"sh\", \"-c\", \"dd if=/dev/xvdc bs=19 count=1 status=none; echo; printf written | dd of=/dev/xvdc bs=512 seek=1 conv=notrunc status=none && echo wrote\"]"
  out=$(ctapp run --foreground disk 2>&1)
  assert_eq 0 "$?" "the app ran ($out)"
  assert_contains "$out" "hello-from-the-disk" "read the host's device inside"
  assert_contains "$out" "wrote" "wrote to the device inside"
  assert_eq "written" "$(dd if="$ROOT/disk.img" bs=512 skip=1 count=1 status=none | tr -d '\0')" \
    "the write reached the host's device"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_the_device_cgroup_denies_devices_and_access_not_given() {
  # Read-only access to the loop device; mknod of another loop device is
  # allowed (runc's default "m" rule), opening it is not.
  write_app denied "[run]
devices = [\"$loop:/dev/xvdc:r\"]
command = [\"sh\", \"-c\", \"dd if=/dev/xvdc bs=5 count=1 status=none; echo; printf x > /dev/xvdc; mknod /dev/other b 7 $other_minor && dd if=/dev/other bs=1 count=1 status=none; ls /dev/fuse\"]"
  out=$(ctapp run --foreground denied 2>&1)
  assert_contains "$out" "hello" "reading is allowed"
  assert_contains "$out" "can't create /dev/xvdc: Operation not permitted" \
    "writing is denied by the device cgroup (r only)"
  assert_contains "$out" "can't open '/dev/other': Operation not permitted" \
    "a device not given is denied by the device cgroup"
  assert_contains "$out" "/dev/fuse: No such file or directory" "a host device not given is absent"
}

test_in_a_user_namespace_the_host_node_is_bound() {
  # No mknod in a user namespace: the host's node is bound at the container
  # path, and its mode decides (root inside is not root outside).
  chmod 0666 "$loop"
  write_app usernsdisk "[run]
user_namespace = \"auto\"
devices = [\"$loop:/dev/xvdc:r\"]
command = [\"sh\", \"-c\", \"dd if=/dev/xvdc bs=19 count=1 status=none; echo; printf x > /dev/xvdc\"]"
  out=$(ctapp run --foreground usernsdisk 2>&1)
  chmod 0600 "$loop"
  assert_contains "$out" "hello-from-the-disk" "read the host's device inside a user namespace"
  assert_contains "$out" "can't create /dev/xvdc: Operation not permitted" \
    "the device cgroup still applies (r only)"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_a_path_that_is_not_a_device_is_refused_at_prepare() {
  echo x > "$ROOT/not-a-device"
  write_app notdev "[run]
devices = [\"$ROOT/not-a-device\"]"
  out=$(ctapp prepare notdev 2>&1)
  assert_eq 1 "$?" "prepare fails"
  assert_contains "$out" "device '$ROOT/not-a-device' is a regular file: name a character or block device node such as /dev/fuse" "says why"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_check_refuses_bad_device_syntax_with_a_location() {
  write_app badsyntax '[run]
devices = ["/dev/fuse:/dev/fuse:rwx", "vendor/=x"]'
  out=$(ctapp check "$ROOT/etc/containers.d/badsyntax.ctapp" 2>&1)
  assert_eq 1 "$?" "check fails"
  assert_contains "$out" "badsyntax.ctapp:3:12: devices: device '/dev/fuse:/dev/fuse:rwx': 'rwx' is not a device permission" "permission letters"
  assert_contains "$out" "badsyntax.ctapp:3:39: devices: 'vendor/=x' is not a CDI device name" "CDI name shape"
  rm -f "$ROOT/etc/containers.d/badsyntax.ctapp"
}

test_a_cdi_spec_adds_its_device_node_env_and_mount() {
  echo "from-the-cdi-mount" > "$ROOT/cdi-lib/marker"
  cat > "$ROOT/etc/cdi/ctapp-test.yaml" <<SPEC
cdiVersion: "0.6.0"
kind: ctapp.test/disk
containerEdits:
  env: ["CDI_VENDOR=ctapp-test"]
devices:
  - name: loop
    containerEdits:
      deviceNodes:
        - path: /dev/cdi-disk
          hostPath: $loop
          permissions: r
      env: ["CDI_DISK=loop"]
      mounts:
        - hostPath: $ROOT/cdi-lib
          containerPath: /opt/cdi-lib
          options: [ro, nosuid, nodev]
SPEC
  write_app cdi '[run]
devices = ["ctapp.test/disk=loop"]
command = ["sh", "-c", "echo vendor=$CDI_VENDOR disk=$CDI_DISK; cat /opt/cdi-lib/marker; dd if=/dev/cdi-disk bs=19 count=1 status=none; echo; touch /opt/cdi-lib/new"]'
  out=$(ctapp run --foreground cdi 2>&1)
  assert_contains "$out" "vendor=ctapp-test disk=loop" "the spec's and the device's env"
  assert_contains "$out" "from-the-cdi-mount" "the spec's mount"
  assert_contains "$out" "hello-from-the-disk" "the spec's device node"
  assert_contains "$out" "Read-only file system" "the mount's ro option"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_an_unknown_cdi_name_is_refused_listing_the_known_ones() {
  cat > "$ROOT/etc/cdi/known.json" <<'SPEC'
{"cdiVersion": "0.6.0", "kind": "ctapp.test/known", "devices": [{"name": "a", "containerEdits": {"env": ["A=1"]}}]}
SPEC
  write_app unknown '[run]
devices = ["ctapp.test/known=b"]'
  out=$(ctapp prepare unknown 2>&1)
  assert_eq 1 "$?" "prepare fails"
  assert_contains "$out" "no CDI device 'ctapp.test/known=b' in the specs of '$ROOT/etc/cdi' and '$ROOT/var/run/cdi' (known: " "names the device and where it looked"
  assert_contains "$out" "ctapp.test/known=a" "lists the known names"
  rm -f "$ROOT/etc/cdi/known.json"
}

test_key_credentials_without_systemd_are_bound_read_only_from_their_files() {
  printf 's3cret-token' > "$ROOT/secrets/token"
  chmod 0600 "$ROOT/secrets/token"
  write_app keycred "[run]
credentials = [\"token:$ROOT/secrets/token\"]
credentials_as_secrets = true
command = [\"sh\", \"-c\", \"echo dir=\$CREDENTIALS_DIRECTORY; cat \$CREDENTIALS_DIRECTORY/token; echo; cat /run/secrets/token; echo; echo x > /run/credentials/ctapp/token\"]"
  out=$(env -u CREDENTIALS_DIRECTORY "$CTAPP" --root "$ROOT" run --foreground keycred 2>&1)
  assert_contains "$out" "dir=/run/credentials/ctapp" "CREDENTIALS_DIRECTORY inside"
  assert_contains "$out" "s3cret-token
s3cret-token" "readable at both paths"
  assert_contains "$out" "Read-only file system" "not writable"
  assert_eq "s3cret-token" "$(cat "$ROOT/secrets/token")" "the source is unchanged"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_the_units_credentials_directory_is_bound_read_only_and_gone_after_stop() {
  # What systemd gives the unit: a ramfs of its own with the credentials.
  require mkdir -p "$ROOT/unit-credentials"
  require mount -t ramfs -o mode=0700 ramfs "$ROOT/unit-credentials"
  printf 'from-systemd' > "$ROOT/unit-credentials/db-password"
  chmod 0400 "$ROOT/unit-credentials/db-password"
  write_app unitcred '[run]
command = ["sh", "-c", "cat $CREDENTIALS_DIRECTORY/db-password; echo; ls /run/credentials/ctapp; echo x > $CREDENTIALS_DIRECTORY/new; sleep 600"]
[service]
stop_timeout = 2'
  CREDENTIALS_DIRECTORY=$ROOT/unit-credentials "$CTAPP" --root "$ROOT" run --foreground unitcred \
    > "$ROOT/unitcred.log" 2>&1 &
  local pid=$!
  wait_until 20 grep -q "Read-only file system" "$ROOT/unitcred.log" || fail "the app never tried to write ($(cat "$ROOT/unitcred.log"))"
  out=$(cat "$ROOT/unitcred.log")
  assert_contains "$out" "from-systemd" "the unit's credential is readable inside"
  assert_contains "$out" "can't create /run/credentials/ctapp/new: Read-only file system" "not writable"
  [ ! -e "$ROOT/unit-credentials/new" ] || fail "the container wrote into the credentials"
  assert_contains "$(findmnt -rn -o TARGET,SOURCE)" "$ROOT/run/ctapp/unitcred" "the container is running"
  kill -TERM "$pid"; wait "$pid"
  assert_eq 0 "$?" "a requested stop is a clean exit"
  assert_eq "" "$(leftovers | grep -v "^$ROOT/unit-credentials\$")" "nothing left but systemd's own directory"
  assert_eq "" "$(grep -rl from-systemd "$ROOT/run" "$ROOT/opt" "$ROOT/var" 2>/dev/null)" \
    "the credential was never copied to disk"
  umount "$ROOT/unit-credentials"
}

run_tests
