#!/bin/bash
# The end-to-end proof under systemd as PID 1: installs ctapp's Debian
# package, built from the source tree, into a throw-away Debian 12 guest
# (systemd-nspawn on an overlay of a cached root), checks the package
# (lintian, contents), boots it so the generator runs at boot, runs each case of cases/
# inside it as a systemd unit, reboots it once for the cases that need a
# second boot, and reports "N passed, N failed".
# Usage: run-e2e.sh SOURCE_DIR BUILD_DIR
set -u
source_dir=$(readlink -f "$1")
build_dir=$(readlink -f "$2")
here=$source_dir/tests/e2e
. "$here/harness.sh"

work=$(mktemp -d /var/tmp/ctapp-e2e.XXXXXX)
log_dir=$build_dir/meson-logs/e2e
mkdir -p "$log_dir"
teardown() {
  guest_poweroff
  guest_unmount "$work"
  rm -rf "$work"
}
trap teardown EXIT

echo "== preparing the guest"
start=$(date +%s)
# ctapp goes in as its Debian package, built from the source tree once per
# run (packaging/build-deb.sh; no unit tests, they are a suite of their own;
# no -dbgsym package), so every case also proves the package; dpkg -i in the
# guest's root needs no network: E2E_PACKAGES has what the package depends on.
# The package compiles while debootstrap (on a cold cache) downloads, without
# optimization (noopt: 4m21s against 6m20s at -O2 on 2 cores; the -O2
# binaries are the integration suite's) and with line tables only for debug
# info (stripped from the package anyway: -g costs a quarter of the compile).
package_dir=$work/deb
DEB_BUILD_OPTIONS="nocheck noddebs noopt" DEB_CXXFLAGS_APPEND=-g1 "$source_dir/packaging/build-deb.sh" "$package_dir" \
  >"$work/build-deb.log" 2>&1 &
package_pid=$!
guest_mount "$work" || { wait "$package_pid"; echo "cannot make the guest root"; exit 1; }
root=$work/root
wait "$package_pid" || { cat "$work/build-deb.log"; echo "cannot build the Debian package"; exit 1; }
deb=$(ls "$package_dir"/ctapp_*.deb)
echo "   guest root and package ready in $(( $(date +%s) - start )) s: $(basename "$deb")"
cp "$deb" "$root/var/tmp/"
chroot "$root" dpkg -i "/var/tmp/$(basename "$deb")" > "$work/dpkg.log" 2>&1 || {
  echo "dpkg -i of the package failed in the guest:"; cat "$work/dpkg.log"; exit 1; }
rm "$root/var/tmp/$(basename "$deb")"
"$source_dir/tests/images/make-busybox-image.sh" "$root/srv/images" box sh >/dev/null || exit 1
if ls "$here"/cases/*valkey* >/dev/null 2>&1; then
  "$source_dir/tests/images/make-valkey-like-image.sh" "$root/srv/images" valkey-like >/dev/null || exit 1
fi
# The guest's registry: its storage is filled here, by a registry on the
# host's loopback pointed at the guest's directory, and served in the guest
# on 127.0.0.1:5000 by Debian's docker-registry service.
feed_guest_registry() {
  local port dir=$root/var/lib/docker-registry pid
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$dir"
  printf 'version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: %s}}
http: {addr: "127.0.0.1:%s"}
' \
    "$dir" "$port" > "$work/feed-registry.yml"
  docker-registry serve "$work/feed-registry.yml" > "$work/feed-registry.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  skopeo copy --quiet --dest-tls-verify=false "oci:$root/srv/images:box" "docker://127.0.0.1:$port/e2e/box:1"
  local status=$?
  kill "$pid"; wait "$pid" 2>/dev/null
  chmod -R a+rX "$dir"
  feed_update_images || status=1
  printf 'version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: /var/lib/docker-registry}}
http: {addr: "127.0.0.1:5000"}
' \
    > "$root/etc/docker/registry/config.yml"
  mkdir -p "$root/etc/containers"
  printf '[[registry]]\nlocation = "127.0.0.1:5000"\ninsecure = true\n' > "$root/etc/containers/registries.conf"
  return $status
}
# For the update cases (5*): tag 1 of e2e/upd and e2e/broken is the good v1
# in the registry's storage, and a second storage,
# /var/lib/docker-registry-next, has them moved to v2 and to a v2 that
# exits at once; a case swaps the storages to "push" the new versions.
feed_update_images() {
  ls "$here"/cases/5*.sh >/dev/null 2>&1 || return 0
  local tag storage port pid dir_name upd broken status=0
  for tag in v1 v2; do
    "$source_dir/tests/images/make-busybox-image.sh" "$root/srv/images" upd-$tag \
      sh -c "echo upd $tag; exec httpd -f -p 127.0.0.1:8091 -h /etc" >/dev/null || return 1
  done
  "$source_dir/tests/images/make-busybox-image.sh" "$root/srv/images" upd-bad sh -c 'echo upd bad; exit 3' >/dev/null || return 1
  for storage in docker-registry:upd-v1:upd-v1 docker-registry-next:upd-v2:upd-bad; do
    IFS=: read -r dir_name upd broken <<< "$storage"
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: "127.0.0.1:%s"}\n' \
      "$root/var/lib/$dir_name" "$port" > "$work/feed-$dir_name.yml"
    docker-registry serve "$work/feed-$dir_name.yml" > "$work/feed-$dir_name.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
    skopeo copy --quiet --dest-tls-verify=false "oci:$root/srv/images:$upd" "docker://127.0.0.1:$port/e2e/upd:1" || status=1
    skopeo copy --quiet --dest-tls-verify=false "oci:$root/srv/images:$broken" "docker://127.0.0.1:$port/e2e/broken:1" || status=1
    # The other cases' image stays there whichever storage is live.
    skopeo copy --quiet --dest-tls-verify=false "oci:$root/srv/images:box" "docker://127.0.0.1:$port/e2e/box:1" || status=1
    kill "$pid"; wait "$pid" 2>/dev/null
    chmod -R a+rX "$root/var/lib/$dir_name"
  done
  return $status
}
feed_guest_registry || { echo "cannot feed the guest's registry"; exit 1; }
mkdir -p "$root/e2e" "$root/etc/containers.d"
cp "$here/guest-lib.sh" "$root/e2e/"
cp -r "$here/cases" "$root/e2e/"
# The static sd_notify sender, bind-mounted into apps that notify themselves.
cp "$build_dir/tests/integration/run/notify-sender" "$root/e2e/"
# Apps that must be there when the guest boots, for the generator.
cp "$here"/boot-apps/*.ctapp "$root/etc/containers.d/"
echo "   guest ready in $(( $(date +%s) - start )) s"

passed=0
failed=0
failures=()
run_case() {  # CASE_FILE
  local name
  name=$(basename "$1" .sh)
  echo "--- $name"
  if guest_run 300 "/e2e/cases/$(basename "$1")" > "$log_dir/$name.log" 2>&1; then
    passed=$((passed + 1))
    sed 's/^/    /' "$log_dir/$name.log"
    echo "    ok"
  else
    failed=$((failed + 1))
    failures+=("$name")
    sed 's/^/    /' "$log_dir/$name.log"
    guest_journal > "$log_dir/$name.journal"
    echo "    FAILED (guest journal: $log_dir/$name.journal; last lines:)"
    tail -25 "$log_dir/$name.journal" | sed 's/^/    | /'
  fi
}

boot() {
  local t0
  t0=$(date +%s%N)
  guest_boot "$work" || { echo "FAILED: the guest did not boot"; failed=$((failed + 1)); return 1; }
  echo "== guest booted in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

# The generator's located error for the bad file, logged at boot (in a
# container without /dev/kmsg it goes to the console, as systemd's own do).
check_boot_log() {
  echo "--- generator-logs-bad-file-at-boot"
  if grep -a -q "ctapp-generator\[[0-9]*\]: /etc/containers.d/bad.ctapp:3:1: unknown key 'comand' in \[run\], did you mean 'command'?" "$work/console.log"; then
    passed=$((passed + 1)); echo "    ok"
  else
    failed=$((failed + 1)); echo "    FAILED: no located error for bad.ctapp in the boot log"
    grep -a ctapp "$work/console.log" | sed 's/^/    | /'
  fi
  # One bad file must not make the generator fail (systemd logs one that does).
  echo "--- generator-succeeds-at-boot-despite-the-bad-file"
  if grep -a -E "ctapp-generator (failed|terminated)" "$work/console.log"; then
    failed=$((failed + 1)); echo "    FAILED: systemd says the generator failed at boot"
  else
    passed=$((passed + 1)); echo "    ok"
  fi
}

# E2E_ONLY="GLOB..." runs only the cases whose file name matches one of the
# globs (the boot-log checks always run); for working on one case.
selected() {
  local pattern
  [ -n "${E2E_ONLY:-}" ] || return 0
  # (the globs must not expand against the files of the working directory)
  set -f
  for pattern in $E2E_ONLY; do
    set +f
    # shellcheck disable=SC2254
    case "$(basename "$1")" in $pattern) return 0 ;; esac
  done
  set +f
  return 1
}

# The package itself: lintian (no errors), its contents and dependencies.
check_package() {
  echo "--- package-lintian-contents-depends"
  if "$source_dir/packaging/check-deb.sh" "$deb" > "$log_dir/package.log" 2>&1; then
    passed=$((passed + 1)); sed 's/^/    /' "$log_dir/package.log"; echo "    ok"
  else
    failed=$((failed + 1)); failures+=("package")
    sed 's/^/    /' "$log_dir/package.log"; echo "    FAILED"
  fi
}

# Purging the package (after the guest is off) keeps the apps' data and says
# so; the programs are gone.
check_purge() {
  echo "--- package-purge-keeps-apps-data"
  local out problems=""
  mkdir -p "$root/var/lib/ctapp/apps/kept" "$root/opt/containers"
  echo data > "$root/var/lib/ctapp/apps/kept/file"
  if ! out=$(chroot "$root" dpkg --purge ctapp 2>&1); then
    problems="dpkg --purge failed: $out"
  elif [ -e "$root/usr/bin/ctapp" ] || [ -e "$root/usr/lib/systemd/system-generators/ctapp-generator" ]; then
    problems="ctapp's programs are still there after the purge"
  elif [ "$(cat "$root/var/lib/ctapp/apps/kept/file" 2>/dev/null)" != data ] || [ ! -d "$root/opt/containers" ]; then
    problems="the purge deleted apps' data"
  else
    case "$out" in
      *"ctapp: kept /var/lib/ctapp (apps' images and data)"*"ctapp: kept /opt/containers"*) ;;
      *) problems="the purge does not say what it kept: $out" ;;
    esac
  fi
  if [ -z "$problems" ]; then
    passed=$((passed + 1)); echo "    ok"
  else
    failed=$((failed + 1)); echo "    FAILED: $problems"
  fi
}

check_package
if boot; then
  check_boot_log
  for case_file in "$here"/cases/*.sh; do
    case "$case_file" in *.after-reboot.sh) continue ;; esac
    selected "$case_file" || continue
    run_case "$case_file"
  done
  echo "== rebooting the guest"
  guest_poweroff
  if boot; then
    for case_file in "$here"/cases/*.after-reboot.sh; do
      [ -e "$case_file" ] && selected "$case_file" && run_case "${case_file}"
    done
  fi
fi
guest_poweroff
check_purge
# Test logs are often shown cut to their end: repeat why each case failed,
# and the errors its apps logged, where they will be seen.
for name in "${failures[@]}"; do
  echo "== $name failed: $(grep -m1 '^FAIL' "$log_dir/$name.log")"
  grep -a -E 'level=error|could not|failed:|error:' "$log_dir/$name.journal" 2>/dev/null | tail -5 | cut -c1-400 | sed 's/^/    | /'
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
