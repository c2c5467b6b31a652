#!/bin/bash
# ctapp preload into image roots: a root on overlayfs (as in image
# builders) and on tmpfs, pulled from Debian's docker-registry on 127.0.0.1
# with credentials from the root's auth file, the build machine's, or
# --authfile; nothing mounted, no runtime state, the generator sees the app
# as local, and the app then starts with the registry gone.
# Usage (meson sets CTAPP, CTAPP_SUPERVISE, CTAPP_GENERATOR): preload-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
export CTAPP_SUPERVISE
SCRATCH=$(mktemp -d /tmp/ctapp-preload.XXXXXX)
chmod 755 "$SCRATCH"
ROOT=$SCRATCH/root
pids=()
cleanup_all() {
  "$CTAPP" --root "$SCRATCH/tmpfs" cleanup box >/dev/null 2>&1
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  for mnt in $(findmnt -rn -o TARGET | grep -F "$SCRATCH" | sort -r); do umount "$mnt"; done
  rm -rf "$SCRATCH"
}
trap cleanup_all EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_registry NAME: a docker-registry with htpasswd auth (alice) on
# 127.0.0.1; sets ${NAME}_PORT and ${NAME}_PID.
start_registry() {
  local name=$1 port dir
  port=$(free_port)
  dir=$SCRATCH/registry-$name
  mkdir -p "$dir"
  htpasswd -Bbn alice wonderland > "$dir/htpasswd"
  printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s/data}}\nhttp:\n  addr: 127.0.0.1:%s\nauth: {htpasswd: {realm: test, path: %s/htpasswd}}\n' \
    "$dir" "$port" "$dir" > "$dir/config.yml"
  docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
  pids+=($!)
  eval "${name}_PID=$!"
  wait_until 20 curl -s -o /dev/null "http://127.0.0.1:$port/v2/" || fail "registry $name did not start"
  eval "${name}_PORT=$port"
}

auth_json() {  # FILE USER PASSWORD PORT
  mkdir -p "$(dirname "$1")"
  printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}\n' "$4" "$(printf '%s:%s' "$2" "$3" | base64 -w0)" > "$1"
}

# new_root KIND: an empty image root at $ROOT on overlayfs or tmpfs, with
# one app from the registry, and a registries.conf that marks it insecure.
new_root() {
  for mnt in $(findmnt -rn -o TARGET | grep -F "$SCRATCH/" | grep -v registry | sort -r); do umount "$mnt"; done
  rm -rf "$SCRATCH/layers" "$ROOT"
  mkdir -p "$ROOT"
  if [ "$1" = overlayfs ]; then
    mkdir -p "$SCRATCH/layers/lower" "$SCRATCH/layers/upper" "$SCRATCH/layers/work"
    mount -t overlay overlay -o "lowerdir=$SCRATCH/layers/lower,upperdir=$SCRATCH/layers/upper,workdir=$SCRATCH/layers/work" "$ROOT" ||
      fail "cannot mount the overlayfs root"
  else
    mount -t tmpfs -o mode=0755 tmpfs "$ROOT" || fail "cannot mount the tmpfs root"
  fi
  mkdir -p "$ROOT/etc/containers.d"
  printf 'image = "%s/test/box:1"\n[run]\nuser_namespace = "auto"\n' "$R" > "$ROOT/etc/containers.d/box.ctapp"
  printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$R" > "$SCRATCH/registries.conf"
  mkdir -p "$ROOT/etc/containers"
  cp "$SCRATCH/registries.conf" "$ROOT/etc/containers/registries.conf"
}

# Mounts, runc state, network namespaces and CNI results under the root.
runtime_traces() {
  findmnt -rn -o TARGET | grep -F "$ROOT/" || true
  ls "$ROOT/run/ctapp/runc" "$ROOT/run/netns" "$ROOT/var/lib/cni" 2>/dev/null | grep -v ':$' | grep . || true
  find "$ROOT/run/ctapp" -name state.json -o -name network.json 2>/dev/null
}

# The drop-in the generator writes for the root's apps (as at first boot).
generated() {
  rm -rf "$SCRATCH/gen"; mkdir -p "$SCRATCH/gen"
  CTAPP_ROOT=$ROOT CTAPP_CONFIG_PATH=$ROOT/etc/containers.d "$CTAPP_GENERATOR" "$SCRATCH/gen" >/dev/null 2>&1 ||
    fail "the generator failed"
  cat "$SCRATCH/gen/ctapp@$1.service.d/50-ctapp.conf"
}

require "$source_dir/tests/images/make-busybox-image.sh" "$SCRATCH/images" box sh -c 'echo hello from a preloaded image' >/dev/null
start_registry main
R=127.0.0.1:$main_PORT
require skopeo copy --quiet --dest-tls-verify=false --dest-creds alice:wonderland "oci:$SCRATCH/images:box" "docker://$R/test/box:1"
unset REGISTRY_AUTH_FILE CONTAINERS_REGISTRIES_CONF

test_preload_into_an_overlayfs_root_unpacks_and_mounts_nothing() {
  new_root overlayfs
  auth_json "$ROOT/etc/containers/auth.json" alice wonderland "$main_PORT"
  assert_contains "$(generated box)" "network-online.target" "before the preload the app needs a pull at boot"
  out=$("$CTAPP" --root "$ROOT" preload --all 2>&1) || fail "preload failed: $out"
  assert_contains "$out" "preloaded app 'box'" "preload says what it did"
  [ -x "$(version_dir box 1)/rootfs/bin/busybox" ] || fail "the rootfs is not unpacked"
  assert_eq "600" "$(stat -c %a "$(version_dir box 1)/config.json")" "config.json holds env: 0600"
  root_path=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["root"]["path"])' \
    "$(version_dir box 1)/config.json")
  assert_eq "/run/ctapp/box/rootfs" "$root_path" "config.json has the booted machine's paths, not the build root's"
  [ -s "$ROOT/var/lib/ctapp/userns/box" ] ||
    fail "no user-namespace range allocated"
  assert_eq "" "$(runtime_traces)" "preload leaves no mount, runc state, netns or CNI result"
  assert_not_contains "$(generated box)" "network-online.target" "after the preload the generator sees the app as local"
  "$CTAPP" --root "$ROOT" preload box >/dev/null 2>&1 || fail "a second preload must succeed (nothing to do)"
}

test_preload_into_a_tmpfs_root_works_too() {
  new_root tmpfs
  auth_json "$ROOT/etc/containers/auth.json" alice wonderland "$main_PORT"
  "$CTAPP" --root "$ROOT" preload box >/dev/null 2>&1 || fail "preload into tmpfs failed"
  [ -x "$(version_dir box 1)/rootfs/bin/busybox" ] || fail "the rootfs is not unpacked"
  assert_eq "" "$(runtime_traces)" "nothing mounted"
}

test_credentials_come_from_the_root_first_then_the_build_machine() {
  new_root overlayfs
  # No credentials anywhere: the registry refuses.
  out=$(HOME=$SCRATCH/nohome XDG_RUNTIME_DIR=$SCRATCH/norun "$CTAPP" --root "$ROOT" preload box 2>&1)
  assert_eq 1 "$?" "a pull without credentials fails"
  assert_contains "$out" "preload of app 'box' failed" "and names the app"
  # The build machine's file (here $REGISTRY_AUTH_FILE) is the fallback.
  auth_json "$SCRATCH/machine-auth.json" alice wonderland "$main_PORT"
  REGISTRY_AUTH_FILE=$SCRATCH/machine-auth.json "$CTAPP" --root "$ROOT" preload box >/dev/null 2>&1 ||
    fail "the build machine's credentials were not used"
  # The root's own file comes first: wrong ones there win over right ones here.
  new_root overlayfs
  auth_json "$ROOT/etc/containers/auth.json" alice wrong "$main_PORT"
  out=$(REGISTRY_AUTH_FILE=$SCRATCH/machine-auth.json "$CTAPP" --root "$ROOT" preload box 2>&1)
  assert_eq 1 "$?" "the root's credentials are used before the machine's"
  # --authfile chooses the file.
  "$CTAPP" --root "$ROOT" preload --authfile "$SCRATCH/machine-auth.json" box >/dev/null 2>&1 ||
    fail "--authfile was not used"
}

test_the_registries_conf_of_the_root_is_used() {
  new_root overlayfs
  auth_json "$ROOT/etc/containers/auth.json" alice wonderland "$main_PORT"
  rm "$ROOT/etc/containers/registries.conf"
  out=$(CONTAINERS_REGISTRIES_CONF=/dev/null/none "$CTAPP" --root "$ROOT" preload box 2>&1)
  assert_eq 1 "$?" "a plain-http registry must need insecure = true"
  assert_contains "$out" "https://$R/v2/" "without it the registry is asked over https"
  printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$R" > "$ROOT/etc/containers/registries.conf"
  "$CTAPP" --root "$ROOT" preload box >/dev/null 2>&1 || fail "the root's registries.conf was not used"
}

test_without_one_in_the_root_the_build_machines_registries_conf_is_used() {
  new_root overlayfs
  auth_json "$ROOT/etc/containers/auth.json" alice wonderland "$main_PORT"
  rm -r "$ROOT/etc/containers/registries.conf"
  # The build machine's /etc/containers, replaced only in a mount namespace
  # of this test.
  mkdir -p "$SCRATCH/machine-containers/registries.conf.d"
  cp "$SCRATCH/registries.conf" "$SCRATCH/machine-containers/registries.conf"
  out=$(unshare --mount --propagation private sh -c \
    'mount --bind "$1" /etc/containers && exec "$2" --root "$3" preload box' - \
    "$SCRATCH/machine-containers" "$CTAPP" "$ROOT" 2>&1)
  assert_eq 0 "$?" "the build machine's registries.conf marks the registry insecure: $out"
  [ -x "$(version_dir box 1)/rootfs/bin/busybox" ] || fail "the rootfs is not unpacked"
}

test_prepare_into_an_overlayfs_root_says_to_preload() {
  new_root overlayfs
  printf 'image = "oci:%s:box"\n' "$SCRATCH/images" > "$ROOT/etc/containers.d/local.ctapp"
  out=$("$CTAPP" --root "$ROOT" prepare local 2>&1)
  assert_eq 1 "$?" "an overlay cannot have its upper layer on overlayfs"
  assert_contains "$out" "upper layer '$ROOT/run/ctapp/local/upper' is on overlayfs" "prepare says why"
  assert_contains "$out" "use 'ctapp --root DIR preload'" "and what to do"
  assert_eq "" "$(runtime_traces)" "and leaves no mount"
}

test_usage_errors() {
  out=$("$CTAPP" --root "$SCRATCH/empty" preload 2>&1)
  assert_eq 2 "$?" "preload needs --all or names"
  assert_contains "$out" "Usage: ctapp [--root DIR] preload" "and says how"
  out=$("$CTAPP" --root "$SCRATCH/empty" preload --all 2>&1)
  assert_eq 1 "$?" "--all with no apps fails"
  assert_contains "$out" "no apps in '$SCRATCH/empty/etc/containers.d'" "and names where it looked"
}

# Last: it stops the registry.
test_a_preloaded_app_starts_with_the_registry_gone() {
  new_root tmpfs
  auth_json "$ROOT/etc/containers/auth.json" alice wonderland "$main_PORT"
  printf 'image = "%s/test/box:1"\n' "$R" > "$ROOT/etc/containers.d/box.ctapp"
  "$CTAPP" --root "$ROOT" preload box >/dev/null 2>&1 || fail "preload failed"
  kill "$main_PID"; wait "$main_PID" 2>/dev/null
  curl -s -o /dev/null "http://$R/v2/" && fail "the registry is still up"
  out=$("$CTAPP" --root "$ROOT" run --foreground box 2>&1)
  assert_eq 0 "$?" "the app ran offline: $out"
  assert_contains "$out" "hello from a preloaded image" "the image's command ran"
  assert_not_contains "$out" "pulling" "nothing was pulled"
  assert_eq "" "$(runtime_traces)" "nothing left after the run"
}

run_tests
