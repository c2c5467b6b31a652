#!/bin/bash
# The platform key and pull --platform on a two-platform index (linux/amd64
# and linux/arm64, each with /platform-marker) that the test builds offline
# as an oci: layout: the chosen manifest is the one unpacked, images of one
# reference for two platforms keep names of their own in the store, and a
# platform the index lacks is refused listing those it has.
# The index is also pushed (skopeo copy --all) to a real docker-registry
# on 127.0.0.1 and pulled from there.
# Usage (meson sets CTAPP): platform-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
ROOT=$(mktemp -d /tmp/ctapp-platform.XXXXXX)
registry_pid=""
trap 'for a in amd arm s390 regarm; do "$CTAPP" --root "$ROOT" cleanup $a >/dev/null 2>&1; done
      [ -z "$registry_pid" ] || { kill "$registry_pid"; wait "$registry_pid"; } 2>/dev/null
      rm -rf "$ROOT"' EXIT
# The expectations name amd64 as the machine's own platform.
require [ "$(uname -m)" = x86_64 ]
require mkdir -p "$ROOT/etc/containers.d"
require "$source_dir/tests/images/make-multi-platform-index.sh" "$ROOT/layout" multi
ctapp() { "$CTAPP" --root "$ROOT" "$@"; }
write_app() {  # NAME BODY
  printf 'image = "oci:%s:multi"\n%s\n' "$ROOT/layout" "$2" > "$ROOT/etc/containers.d/$1.ctapp"
}
marker_of() { cat "$(version_dir "$1" multi)/rootfs/platform-marker" 2>/dev/null; }
store_name="oci${ROOT}/layout:multi"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
require mkdir -p "$ROOT/registry" "$ROOT/etc/containers"
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$ROOT/registry/data" "$port" > "$ROOT/registry/config.yml"
docker-registry serve "$ROOT/registry/config.yml" > "$ROOT/registry/log" 2>&1 &
registry_pid=$!
require wait_until 20 curl -s -o /dev/null "http://127.0.0.1:$port/v2/"
require skopeo copy --quiet --all --dest-tls-verify=false "oci:$ROOT/layout:multi" "docker://127.0.0.1:$port/test/multi:1"
printf '[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$port" > "$ROOT/etc/containers/registries.conf"

test_platform_chooses_the_image_that_is_unpacked_and_each_platform_keeps_its_own() {
  write_app amd ''
  write_app arm 'platform = "linux/arm64"'
  out=$(ctapp prepare amd 2>&1)
  assert_eq 0 "$?" "prepare of the machine's platform: $out"
  out=$(ctapp prepare arm 2>&1)
  assert_eq 0 "$?" "prepare of linux/arm64: $out"
  assert_eq amd64 "$(marker_of amd)" "without platform: the machine's image"
  assert_eq arm64 "$(marker_of arm)" "platform = linux/arm64: the arm64 image"
  images=$(ctapp images --json)
  assert_contains "$images" "\"name\": \"$store_name\"" "the machine's image under the plain name"
  assert_contains "$images" "\"name\": \"$store_name+linux-arm64\"" "the arm64 image under a name of its own"
  ctapp cleanup amd >/dev/null 2>&1
  ctapp cleanup arm >/dev/null 2>&1
}

test_a_platform_the_index_lacks_is_refused_listing_those_it_has() {
  write_app s390 'platform = "linux/s390x"'
  out=$(ctapp prepare s390 2>&1)
  assert_eq 1 "$?" "prepare fails"
  assert_contains "$out" "has no image for linux/s390x (it has linux/amd64, linux/arm64); choose one with --platform or the app's platform key" "and lists the platforms"
  [ -z "$(ls -d "$ROOT"/opt/containers/s390-multi* 2>/dev/null)" ] || fail "a rootfs was unpacked"
}

test_pull_with_platform_keeps_the_machines_image() {
  rm -rf "$ROOT/var/lib/ctapp/images"
  out=$(ctapp pull oci:"$ROOT/layout":multi 2>&1)
  assert_eq 0 "$?" "pull for the machine: $out"
  out=$(ctapp pull --platform=linux/arm64 oci:"$ROOT/layout":multi 2>&1)
  assert_eq 0 "$?" "pull --platform=linux/arm64: $out"
  images=$(ctapp images --json)
  amd_digest=$(skopeo inspect --raw "oci:$ROOT/layout:multi-amd64" | sha256sum | cut -d' ' -f1)
  arm_digest=$(skopeo inspect --raw "oci:$ROOT/layout:multi-arm64" | sha256sum | cut -d' ' -f1)
  assert_contains "$images" "\"digest\": \"sha256:$amd_digest\"" "the amd64 manifest is still in the store"
  assert_contains "$images" "\"digest\": \"sha256:$arm_digest\"" "the arm64 manifest is in the store"
  out=$(ctapp pull --platform=arm64 oci:"$ROOT/layout":multi 2>&1)
  assert_eq 2 "$?" "a platform without OS is refused as a usage error"
  assert_contains "$out" "'arm64' is not a platform: write OS/ARCH[/VARIANT] in lower case" "and says how to write one"
}

test_a_registry_index_gives_the_platform_of_the_app() {
  rm -rf "$ROOT/var/lib/ctapp/images"
  printf 'image = "127.0.0.1:%s/test/multi:1"\nplatform = "linux/arm64"\n' "$port" > "$ROOT/etc/containers.d/regarm.ctapp"
  out=$(ctapp prepare regarm 2>&1)
  assert_eq 0 "$?" "prepare pulls from the registry: $out"
  assert_eq arm64 "$(cat "$(version_dir regarm 1)/rootfs/platform-marker" 2>/dev/null)" "the arm64 image was unpacked"
  assert_contains "$(ctapp images --json)" "\"name\": \"127.0.0.1:$port/test/multi:1+linux-arm64\"" "stored under a name of its own"
  # update and status --check ask the registry for the app's platform too
  out=$(ctapp update --dry-run regarm 2>&1)
  assert_contains "$out" "up to date" "update --dry-run of an arm64 app"
  out=$(ctapp update regarm 2>&1)
  assert_contains "$out" "up to date" "update of an arm64 app"
  assert_contains "$(ctapp status --check regarm 2>&1)" "up to date" "status --check of an arm64 app"
  ctapp cleanup regarm >/dev/null 2>&1
  out=$(ctapp pull --platform=linux/riscv64 "127.0.0.1:$port/test/multi:1" 2>&1)
  assert_eq 1 "$?" "a platform the index lacks"
  assert_contains "$out" "has no image for linux/riscv64 (it has linux/amd64, linux/arm64)" "lists those it has"
}

test_check_locates_a_bad_platform() {
  printf 'image = "busybox"\nplatform = "linux/ARM64"\n' > "$ROOT/bad.ctapp"
  out=$(ctapp check "$ROOT/bad.ctapp" 2>&1)
  assert_eq 1 "$?" "check fails"
  assert_contains "$out" "bad.ctapp:2:12: 'linux/ARM64' is not a platform" "located"
}

run_tests
status=$?
left=$(leftovers)
[ -z "$left" ] || { echo "FAIL: left behind: $left"; status=1; }
exit $status
