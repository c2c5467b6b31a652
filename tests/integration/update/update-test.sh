#!/bin/bash
# Versions on disk, `ctapp update` and `ctapp rollback` against Debian's real
# docker-registry on 127.0.0.1, with images built offline and pushed with
# skopeo: v1 and v2 of one tag, the data volume kept across both, rollback
# with the registry gone, and kill -9 at random points of an update.
# Usage (meson sets CTAPP, CTAPP_SUPERVISE, CTAPP_GENERATOR): update-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
export CTAPP_SUPERVISE
ROOT=$(mktemp -d /tmp/ctapp-update.XXXXXX)
registry_pid=""
cleanup_all() {
  "$CTAPP" --root "$ROOT" cleanup web >/dev/null 2>&1
  [ -n "$registry_pid" ] && { kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null; }
  rm -rf "$ROOT"
}
trap cleanup_all EXIT
images=$ROOT/images
ctapp() { "$CTAPP" --root "$ROOT" "$@"; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PORT=$(free_port)
M=127.0.0.1:$PORT
start_registry() {
  mkdir -p "$ROOT/registry"
  printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp:\n  addr: %s\n' \
    "$ROOT/registry/data" "$M" > "$ROOT/registry/config.yml"
  docker-registry serve "$ROOT/registry/config.yml" > "$ROOT/registry/log" 2>&1 &
  registry_pid=$!
  wait_until 20 curl -s -o /dev/null "http://$M/v2/"
}
stop_registry() {
  kill "$registry_pid" && wait "$registry_pid" 2>/dev/null
  registry_pid=""
  ! curl -s -o /dev/null "http://$M/v2/"
}
push() {  # LAYOUT-TAG REPO:TAG
  skopeo copy --quiet --dest-tls-verify=false "oci:$images:$1" "docker://$M/$2"
}
digest_of() {  # LAYOUT-TAG
  skopeo inspect --format '{{.Digest}}' "oci:$images:$1"
}

# v1 and v2 differ in what they print; both append to the /data volume, so
# a run shows every version that ran with this app's data.
for v in v1 v2; do
  require "$source_dir/tests/images/make-busybox-image.sh" "$images" $v \
    sh -c "echo $v >> /data/runs; echo ran \$(cat /data/runs)" >/dev/null
done
# v2 with a 32 MB layer more: an unpack slow enough to be caught midway.
require umoci unpack --image "$images:v2" "$ROOT/edit" >/dev/null
require sh -c 'head -c 32M /dev/urandom > "$1/edit/rootfs/big"' - "$ROOT"
require umoci repack --image "$images:big" "$ROOT/edit" >/dev/null
rm -rf "$ROOT/edit"
require start_registry
mkdir -p "$ROOT/etc/containers" "$ROOT/etc/containers.d"
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$M" > "$ROOT/etc/containers/registries.conf"
V1=$(digest_of v1) || fail "digest of v1"
V2=$(digest_of v2) || fail "digest of v2"

# A fresh app 'web' on tag web:1 pointing at v1, its first run done.
fresh_app() {
  ctapp cleanup web >/dev/null 2>&1
  rm -rf "$ROOT/opt" "$ROOT/var" "$ROOT/run"
  push v1 web:1 || fail "push v1"
  printf 'image = "%s/web:1"\n' "$M" > "$ROOT/etc/containers.d/web.ctapp"
  out=$(ctapp run --foreground web 2>&1)
  assert_contains "$out" "ran v1" "v1 ran first"
}
dir_of() { echo "web-1-${1:7:12}"; }

test_each_digest_of_a_tag_gets_its_own_directory_and_a_closed_record() {
  fresh_app
  assert_eq "$(dir_of "$V1")" "$(ls "$ROOT/opt/containers")" "'ls /opt/containers' shows app, tag and digest"
  record=$ROOT/var/lib/ctapp/versions/web
  assert_eq "$(dir_of "$V1") $V1 $M/web:1" "$(grep -v '^#' "$record")" "the record names the current version"
  assert_eq "600 0:0" "$(stat -c '%a %u:%g' "$record")" "record mode"
  assert_eq "700" "$(stat -c '%a' "$ROOT/var/lib/ctapp/versions")" "the record's directory is closed"
  assert_eq "700" "$(stat -c '%a' "$ROOT/opt/containers/$(dir_of "$V1")")" "the version directory is closed"
  # The generator sees the version as local: no wait for the network.
  out=$(CTAPP_ROOT=$ROOT CTAPP_CONFIG_PATH=$ROOT/etc/containers.d "$CTAPP_GENERATOR" --dry-run 2>&1)
  assert_not_contains "$out" "network-online.target" "an unpacked version needs no network"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_update_unpacks_a_new_digest_beside_the_old_and_the_data_stays() {
  fresh_app
  out=$(ctapp status --check web 2>&1)
  assert_contains "$out" "  check:   up to date" "status --check before the push"
  push v2 web:1 || fail "push v2"
  out=$(ctapp status --check web 2>&1)
  assert_contains "$out" "  check:   newer image $V2 (run 'ctapp update web')" "status --check after the push"
  out=$(ctapp list --check 2>&1)
  assert_contains "$out" "check: newer image $V2 (run 'ctapp update web')" "list --check after the push"
  assert_contains "$(ctapp list --json --check 2>&1)" "\"check\": \"newer image $V2" "list --json --check"
  local store_before
  store_before=$(ls -R "$ROOT/var/lib/ctapp/images" "$ROOT/opt/containers")
  out=$(ctapp update --dry-run web 2>&1)
  assert_contains "$out" "app 'web': would update to ${V2:0:19} (was ${V1:0:19})" "update --dry-run asks the registry"
  assert_eq "$store_before" "$(ls -R "$ROOT/var/lib/ctapp/images" "$ROOT/opt/containers")" "and changes nothing on disk"
  out=$(ctapp run --foreground web 2>&1)
  assert_contains "$out" "ran v1 v1" "without update the prepared version runs (pull = missing)"
  out=$(ctapp update web 2>&1); status=$?
  assert_eq 0 "$status" "update exit status ($out)"
  assert_contains "$out" "app 'web': updated to ${V2:0:19} (was ${V1:0:19}); it runs at the next start" "update says what it did"
  assert_eq "$(printf '%s\n%s' "$(dir_of "$V1")" "$(dir_of "$V2")" | sort)" "$(ls "$ROOT/opt/containers" | sort)" \
    "two digests of one tag, two directories"
  out=$(ctapp status web 2>&1)
  assert_contains "$out" "$(printf '  kept:    %s %s\n           %s %s' "$(dir_of "$V2")" "$V2" "$(dir_of "$V1")" "$V1")" \
    "status lists the kept versions, current first"
  out=$(ctapp status --json web 2>&1)
  assert_contains "$out" "\"dir\": \"$(dir_of "$V2")\"" "status --json lists them too"
  out=$(ctapp run --foreground web 2>&1)
  assert_contains "$out" "ran v1 v1 v2" "v2 runs with v1's data"
  out=$(ctapp update web 2>&1); status=$?
  assert_eq 0 "$status" "second update exit status"
  assert_contains "$out" "app 'web': up to date (${V2:0:19})" "nothing changed"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_rollback_goes_back_to_the_previous_version_with_the_registry_gone() {
  fresh_app
  push v2 web:1 || fail "push v2"
  ctapp update web >/dev/null 2>&1 || fail "update"
  stop_registry || fail "registry still answers"
  out=$(ctapp rollback web 2>&1); status=$?
  assert_eq 0 "$status" "rollback exit status ($out)"
  assert_contains "$out" "app 'web': rolled back to ${V1:0:19} (was ${V2:0:19}); it runs at the next start" "rollback says what it did"
  out=$(ctapp run --foreground web 2>&1)
  assert_contains "$out" "ran v1 v1" "v1 runs again, offline, with the same data"
  # The previous version is now the one just left: a second rollback
  # undoes the first.
  out=$(ctapp rollback web 2>&1); status=$?
  assert_eq 0 "$status" "second rollback exit status ($out)"
  assert_contains "$out" "app 'web': rolled back to ${V2:0:19} (was ${V1:0:19})" "the second rollback returns to v2"
  out=$(ctapp run --foreground web 2>&1)
  assert_contains "$out" "ran v1 v1 v2" "v2 runs again"
  start_registry || fail "registry restart"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_rollback_without_an_earlier_version_fails_clearly() {
  fresh_app
  out=$(ctapp rollback web 2>&1); status=$?
  assert_eq 1 "$status" "exit status"
  assert_contains "$out" "rollback: app 'web': no earlier version of '$M/web:1' is kept in '$ROOT/opt/containers'; nothing to roll back to" "message"
}

test_pinned_oci_and_rootfs_apps_are_not_updatable() {
  mkdir -p "$ROOT/srv/rootfs"
  printf 'image = "%s/web@%s"\n' "$M" "$V1" > "$ROOT/etc/containers.d/pinned.ctapp"
  printf 'image = "oci:%s:v1"\n' "$images" > "$ROOT/etc/containers.d/local.ctapp"
  printf 'rootfs = "/srv/rootfs"\n' > "$ROOT/etc/containers.d/plain.ctapp"
  out=$(ctapp update pinned 2>&1); status=$?
  assert_eq 1 "$status" "pinned: exit status"
  assert_contains "$out" "app 'pinned': image '$M/web@$V1' is pinned to a digest: it never updates (change the reference to update it)" "pinned"
  out=$(ctapp update local 2>&1)
  assert_contains "$out" "app 'local': image 'oci:$images:v1' is not from a registry: not updatable" "oci: source"
  out=$(ctapp update plain 2>&1)
  assert_contains "$out" "app 'plain' runs a rootfs, not an image: not updatable" "rootfs app"
  out=$(ctapp update --all --dry-run 2>&1)
  assert_not_contains "$out" "pinned" "--all skips what cannot update"
  rm -f "$ROOT/etc/containers.d/"{pinned,local,plain}.ctapp
}

test_auto_updates_only_the_apps_that_opted_in() {
  push v1 web:1 || fail "push v1"
  printf 'image = "%s/web:1"\n[service]\nauto_update = true\n' "$M" > "$ROOT/etc/containers.d/opted.ctapp"
  printf 'image = "%s/web:1"\n' "$M" > "$ROOT/etc/containers.d/other.ctapp"
  local out status
  out=$(ctapp update --auto --dry-run 2>&1); status=$?
  assert_eq 0 "$status" "exit status ($out)"
  assert_contains "$out" "app 'opted': would update to sha256:" "the opted-in app"
  assert_not_contains "$out" "app 'other'" "not the others"
  assert_not_contains "$out" "app 'web'" "not the others"
  rm -f "$ROOT/etc/containers.d/"{opted,other}.ctapp
}

# kill -9 at random points of an update that switches v1 <-> v2: the app
# starts every time on one of the two, and nothing half-made stays.
test_a_killed_update_leaves_the_app_startable() {
  fresh_app
  local round next=v2
  for round in $(seq 1 12); do
    push $next web:1 || fail "push $next"
    "$CTAPP" --root "$ROOT" update web >/dev/null 2>&1 &  # not the function: $! must be ctapp
    local pid=$!
    sleep "0.$((RANDOM % 40))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    out=$(ctapp run --foreground web 2>&1)
    case "$out" in *"ran v"*) ;; *) fail "round $round: the app did not start: $out" ;; esac
    assert_eq "" "$(ls -A "$ROOT/opt/containers/.ctapp-tmp" | grep -v '^temp.lock$')" "round $round: no half-made version"
    [ $next = v2 ] && next=v1 || next=v2
  done
  assert_eq "" "$(leftovers)" "nothing left"
}

# A kill -9 while the new version is being unpacked: the temporary
# directory it leaves is gone after the next start, which runs v1.
test_an_update_killed_while_unpacking_leaves_nothing_half_made() {
  fresh_app
  push big web:1 || fail "push big"
  "$CTAPP" --root "$ROOT" update web >/dev/null 2>&1 &  # not the function: $! must be ctapp
  local pid=$!
  wait_until 60 sh -c 'ls -d "$1"/opt/containers/.ctapp-tmp/unpack-*' - "$ROOT" || fail "no unpack seen"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  [ -n "$(ls -d "$ROOT"/opt/containers/.ctapp-tmp/unpack-* 2>/dev/null)" ] || fail "the kill did not land during the unpack"
  out=$(ctapp run --foreground web 2>&1)
  assert_contains "$out" "ran v1 v1" "the app starts on the version it had"
  assert_eq "" "$(ls -A "$ROOT/opt/containers/.ctapp-tmp" | grep -v '^temp.lock$')" "nothing half-made after the next start"
  assert_eq "$(dir_of "$V1")" "$(ls "$ROOT/opt/containers")" "no other version directory"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_pull_newer_starts_the_newest_and_falls_back_to_the_local_one_offline() {
  fresh_app
  printf 'image = "%s/web:1"\npull = "newer"\n' "$M" > "$ROOT/etc/containers.d/web.ctapp"
  push v2 web:1 || fail "push v2"
  local out
  out=$(ctapp run --foreground web 2>&1)
  assert_contains "$out" "ran v1 v2" "the start itself pulled v2"
  stop_registry || fail "registry still answers"
  out=$(ctapp run --foreground web 2>&1)
  assert_contains "$out" "app 'web': cannot check '$M/web:1' for a newer image (pull = \"newer\"), starting the local" "a warning says why"
  assert_contains "$out" "ran v1 v2 v2" "and the local v2 starts"
  start_registry || fail "registry restart"
  printf 'image = "%s/web:1"\n' "$M" > "$ROOT/etc/containers.d/web.ctapp"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_pull_never_fails_clearly_and_always_needs_the_registry() {
  fresh_app
  printf 'image = "%s/web:1"\npull = "always"\n' "$M" > "$ROOT/etc/containers.d/web.ctapp"
  stop_registry || fail "registry still answers"
  local out status
  out=$(ctapp prepare web 2>&1); status=$?
  assert_eq 1 "$status" "pull = always without the registry fails"
  assert_contains "$out" "prepare of app 'web' failed: pull $M/web:1:" "and names the pull"
  start_registry || fail "registry restart"
  rm -rf "$ROOT/opt/containers" "$ROOT/var/lib/ctapp/images" "$ROOT/var/lib/ctapp/versions"
  printf 'image = "%s/web:1"\npull = "never"\n' "$M" > "$ROOT/etc/containers.d/web.ctapp"
  out=$(ctapp prepare web 2>&1); status=$?
  assert_eq 1 "$status" "pull = never without the image fails"
  assert_contains "$out" "app 'web': image '$M/web:1' is not on this machine and pull = \"never\": bring it into the store with 'ctapp pull $M/web:1' (or set pull = \"missing\")" "and says what to do"
  printf 'image = "%s/web:1"\n' "$M" > "$ROOT/etc/containers.d/web.ctapp"
  assert_eq "" "$(leftovers)" "nothing left"
}

store_blobs() { ls "$ROOT/var/lib/ctapp/images/blobs/sha256" | sort; }
# The blobs the ref REF reaches, by skopeo (manifest, config, layers).
blobs_of_ref() {
  local store=oci:$ROOT/var/lib/ctapp/images:$1
  {
    skopeo inspect --raw "$store" | sha256sum | cut -d' ' -f1
    skopeo inspect --raw "$store" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["config"]["digest"][7:]); [print(l["digest"][7:]) for l in m["layers"]]'
  } | sort -u
}

# v1, v2, big on one tag: gc keeps the current and the previous version,
# and exactly the blobs the store's ref reaches.
test_gc_frees_exactly_the_unreferenced_versions_and_blobs() {
  fresh_app
  push v2 web:1 && ctapp update web >/dev/null 2>&1 || fail "update to v2"
  push big web:1 && ctapp update web >/dev/null 2>&1 || fail "update to big"
  local before after expected out status
  before=$(ls "$ROOT/opt/containers")
  out=$(ctapp gc --dry-run 2>&1); status=$?
  assert_eq 0 "$status" "dry run exit status ($out)"
  assert_contains "$out" "would remove version '$(dir_of "$V1")' of app 'web'" "the dry run names the oldest version"
  assert_eq "$before" "$(ls "$ROOT/opt/containers")" "a dry run removes nothing"
  expected=$(blobs_of_ref "$M/web:1") || fail "skopeo cannot read the store before gc"
  out=$(ctapp gc 2>&1); status=$?
  assert_eq 0 "$status" "gc exit status ($out)"
  assert_contains "$out" "removed version '$(dir_of "$V1")' of app 'web'" "the oldest version goes"
  assert_eq "$(ls "$ROOT/opt/containers" | grep -v "$(dir_of "$V1")")" "$(ls "$ROOT/opt/containers")" "only it"
  assert_eq 2 "$(grep -vc '^#' "$ROOT/var/lib/ctapp/versions/web")" "the record keeps two versions"
  assert_eq "$expected" "$(store_blobs)" "the store keeps exactly the blobs its ref reaches"
  assert_eq "$(blobs_of_ref "$M/web:1")" "$(store_blobs)" "skopeo still reads the store"
  local sum
  sum=$(printf '%s\n' "$out" | awk '/^removed .* bytes\)$/ { gsub(/[()]/, "", $(NF-1)); s += $(NF-1) } END { print s + 0 }')
  assert_contains "$out" "freed $sum bytes" "the total is the sum of what was removed"
  out=$(ctapp run --foreground web 2>&1)
  assert_contains "$out" "ran v1 v2" "the current version runs"
  # The previous version needs no blob: rollback and start, offline.
  stop_registry || fail "registry still answers"
  ctapp rollback web >/dev/null 2>&1 || fail "rollback after gc"
  out=$(ctapp run --foreground web 2>&1)
  assert_contains "$out" "ran v1 v2 v2" "the previous version starts without its blobs"
  start_registry || fail "registry restart"
  out=$(ctapp gc 2>&1)
  assert_contains "$out" "freed 0 bytes" "a second gc has nothing to do"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_gc_removes_what_a_removed_app_left_but_its_data_only_when_asked() {
  fresh_app
  rm "$ROOT/etc/containers.d/web.ctapp"
  local out status
  out=$(ctapp gc 2>&1); status=$?
  assert_eq 0 "$status" "gc exit status ($out)"
  assert_contains "$out" "removed version '$(dir_of "$V1")' of app 'web' (removed app)" "its version"
  assert_contains "$out" "removed store ref '$M/web:1'" "its store ref"
  assert_contains "$out" "kept data of removed app 'web': '$ROOT/var/lib/ctapp/apps/web'" "its data is listed"
  assert_eq "" "$(ls "$ROOT/opt/containers")" "no version left"
  assert_eq "" "$(store_blobs)" "no blob left"
  [ ! -e "$ROOT/var/lib/ctapp/versions/web" ] || fail "the record is left"
  [ -d "$ROOT/var/lib/ctapp/apps/web/volumes" ] || fail "the data went without --volumes"
  python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["manifests"] == []' \
    "$ROOT/var/lib/ctapp/images/index.json" || fail "index.json is not an empty valid index"
  out=$(ctapp gc --volumes 2>&1)
  assert_contains "$out" "removed data of removed app 'web' ('$ROOT/var/lib/ctapp/apps/web')" "--volumes removes it, naming it"
  [ ! -e "$ROOT/var/lib/ctapp/apps/web" ] || fail "the data is still there"
  printf 'image = "%s/web:1"\n' "$M" > "$ROOT/etc/containers.d/web.ctapp"
}

# kill -9 at random points of gc: the app starts every time, and a gc run
# to the end leaves only the kept versions.
test_a_killed_gc_leaves_the_app_startable() {
  fresh_app
  local round pid next=v2
  for round in $(seq 1 8); do
    push $next web:1 && ctapp update web >/dev/null 2>&1 || fail "round $round: update"
    "$CTAPP" --root "$ROOT" gc --keep 1 >/dev/null 2>&1 &  # not the function: $! must be ctapp
    pid=$!
    sleep "0.0$((RANDOM % 10))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    out=$(ctapp run --foreground web 2>&1)
    assert_contains "$out" "ran v" "round $round: the app starts"
    [ $next = v2 ] && next=v1 || next=v2
  done
  ctapp gc --keep 1 >/dev/null 2>&1 || fail "a last gc"
  assert_eq "$(grep -v '^#' "$ROOT/var/lib/ctapp/versions/web" | cut -d' ' -f1)" "$(ls "$ROOT/opt/containers")" \
    "only the recorded version is left"
  assert_eq "$(blobs_of_ref "$M/web:1")" "$(store_blobs)" "the store is whole and skopeo reads it"
  assert_eq "" "$(leftovers)" "nothing left"
}

# A record write killed before its rename leaves VERSIONS/web.#tmp-…; gc once
# took it for the record of a removed app and deleted all of web's versions.
test_gc_after_a_killed_record_write_keeps_the_versions_and_removes_the_temporary() {
  fresh_app
  local record=$ROOT/var/lib/ctapp/versions/web current
  current=$(grep -v '^#' "$record" | cut -d' ' -f1)
  cp "$record" "$record.#tmp-0123456789abcdef"
  out=$(ctapp gc --keep 1 2>&1) || fail "gc: $out"
  assert_contains "$out" "removed unfinished write '$record.#tmp-0123456789abcdef'" "gc names the temporary"
  assert_eq "$current" "$(ls "$ROOT/opt/containers")" "the current version stays"
  assert_eq "web" "$(ls "$ROOT/var/lib/ctapp/versions")" "only the record is left"
  out=$(ctapp run --foreground web 2>&1)
  assert_contains "$out" "ran v1" "the app starts"
}

run_tests
