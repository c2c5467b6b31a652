#!/bin/bash
# ctapp pull against Debian's real docker-registry on 127.0.0.1 (plain,
# htpasswd, TLS), fed with images built offline and pushed with skopeo; a
# fake registry only for the faults the real one cannot show. Interop with
# skopeo and umoci on the same store, both ways.
# Usage (meson sets CTAPP, CTAPP_SUPERVISE): pull-test.sh SOURCE_DIR
set -u
source_dir=$1
here=$source_dir/tests/integration/pull
. "$source_dir/tests/integration/lib.sh"
export CTAPP_SUPERVISE
ROOT=$(mktemp -d /tmp/ctapp-pull.XXXXXX)
pids=()
cleanup_all() {
  "$CTAPP" --root "$ROOT" cleanup pulled >/dev/null 2>&1
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$ROOT"
}
trap cleanup_all EXIT
images=$ROOT/images
ctapp() { "$CTAPP" --root "$ROOT" "$@"; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_registry NAME [htpasswd|tls]: a docker-registry on 127.0.0.1; sets
# ${NAME}_PORT.
start_registry() {
  local name=$1 kind=${2:-plain} port dir scheme=http
  port=$(free_port)
  dir=$ROOT/registry-$name
  mkdir -p "$dir"
  {
    echo "version: 0.1"
    echo "log: {level: error}"
    echo "storage: {filesystem: {rootdirectory: $dir/data}}"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    if [ "$kind" = tls ]; then
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
      echo "  tls: {certificate: $dir/cert.pem, key: $dir/key.pem}"
      scheme=https
    fi
    if [ "$kind" = htpasswd ]; then
      htpasswd -Bbn alice wonderland > "$dir/htpasswd"
      echo "auth: {htpasswd: {realm: test, path: $dir/htpasswd}}"
    fi
  } > "$dir/config.yml"
  docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
  pids+=($!)
  wait_until 20 curl -sk -o /dev/null "$scheme://127.0.0.1:$port/v2/" || fail "registry $name did not start"
  eval "${name}_PORT=$port"
}

push() {  # SOURCE DEST [skopeo options]
  skopeo copy --quiet --dest-tls-verify=false "${@:3}" "$1" "$2" || fail "skopeo could not push $1"
}

insecure_conf() {  # PORT...
  mkdir -p "$ROOT/etc/containers"
  : > "$ROOT/etc/containers/registries.conf"
  for port in "$@"; do
    printf '[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$port" >> "$ROOT/etc/containers/registries.conf"
  done
}

# Images, built offline once.
require "$source_dir/tests/images/make-busybox-image.sh" "$images" box sh -c 'echo hello from a pulled image' >/dev/null
require umoci unpack --image "$images:box" "$ROOT/edit" >/dev/null
require sh -c 'echo second > "$1/edit/rootfs/second-layer"' - "$ROOT"
require umoci repack --image "$images:two" "$ROOT/edit" >/dev/null
rm -rf "$ROOT/edit"
require umoci config --image "$images:box" --architecture=arm64 --tag arm >/dev/null
start_registry main
start_registry auth htpasswd
start_registry tls tls
M=127.0.0.1:$main_PORT
push "oci:$images:box" "docker://$M/test/box:1"
push "oci:$images:two" "docker://$M/test/two:1"
push "oci:$images:box" "docker://$M/test/schema2:1" --format v2s2

test_pull_from_an_insecure_registry_into_a_store_skopeo_and_umoci_read() {
  insecure_conf "$main_PORT"
  out=$(ctapp pull "$M/test/box:1") || { fail "pull failed"; return; }
  assert_contains "$out" "$M/test/box:1 sha256:" "pull prints the name and digest"
  skopeo inspect --raw "oci:$ROOT/var/lib/ctapp/images:$M/test/box:1" >/dev/null || fail "skopeo cannot read the store"
  assert_contains "$(umoci ls --layout "$ROOT/var/lib/ctapp/images")" "$M/test/box:1" "umoci lists the image"
  assert_contains "$(ctapp images --json)" "\"name\": \"$M/test/box:1\"" "ctapp images lists it"
}

test_plain_http_needs_the_registry_marked_insecure_or_tls_verify_false() {
  rm -f "$ROOT/etc/containers/registries.conf"
  out=$(ctapp pull "$M/test/box:1" 2>&1)
  assert_eq 1 "$?" "refused without insecure"
  assert_contains "$out" "pull $M/test/box:1" "the error names the image"
  ctapp pull --tls-verify=false "$M/test/box:1" >/dev/null || fail "--tls-verify=false should allow it"
}

test_a_self_signed_certificate_is_refused_unless_insecure() {
  T=127.0.0.1:$tls_PORT
  push "oci:$images:box" "docker://$T/test/box:1"
  rm -f "$ROOT/etc/containers/registries.conf"
  out=$(ctapp pull "$T/test/box:1" 2>&1)
  assert_eq 1 "$?" "an unverifiable certificate fails the pull"
  assert_contains "$out" "certificate" "and says why"
  insecure_conf "$tls_PORT"
  ctapp pull "$T/test/box:1" >/dev/null || fail "insecure = true should allow it"
}

test_a_docker_schema2_image_pulls() {
  insecure_conf "$main_PORT"
  ctapp pull "$M/test/schema2:1" >/dev/null || fail "pull failed"
  media=$(/usr/bin/python3 - "$ROOT/var/lib/ctapp/images" "$M/test/schema2:1" <<'PY'
import json, sys
store, name = sys.argv[1], sys.argv[2]
entry = [m for m in json.load(open(f"{store}/index.json"))["manifests"]
         if m["annotations"]["org.opencontainers.image.ref.name"] == name][0]
print(json.load(open(f"{store}/blobs/sha256/{entry['digest'][7:]}"))["mediaType"])
PY
)
  assert_eq "application/vnd.docker.distribution.manifest.v2+json" "$media" "the Docker manifest is stored as received"
}

test_an_index_gives_the_machines_platform_and_skips_attestations() {
  insecure_conf "$main_PORT"
  # An index with amd64, arm64 and an attestation entry (unknown/unknown).
  /usr/bin/python3 - "$images" <<'PY'
import hashlib, json, os, sys
layout = sys.argv[1]
index = json.load(open(f"{layout}/index.json"))
by_name = {m["annotations"]["org.opencontainers.image.ref.name"]: m for m in index["manifests"] if "annotations" in m}
def entry(name, os_, arch):
    m = dict(by_name[name]); m.pop("annotations", None)
    m["platform"] = {"os": os_, "architecture": arch}
    return m
multi = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": [entry("box", "unknown", "unknown"), entry("arm", "linux", "arm64"), entry("box", "linux", "amd64")]}
data = json.dumps(multi).encode()
digest = hashlib.sha256(data).hexdigest()
open(f"{layout}/blobs/sha256/{digest}", "wb").write(data)
index["manifests"].append({"mediaType": multi["mediaType"], "digest": f"sha256:{digest}", "size": len(data),
                           "annotations": {"org.opencontainers.image.ref.name": "multi"}})
json.dump(index, open(f"{layout}/index.json", "w"))
PY
  push "oci:$images:multi" "docker://$M/test/multi:1" --all
  box=$(skopeo inspect --raw "oci:$images:box" | sha256sum | cut -c1-64)
  arm=$(skopeo inspect --raw "oci:$images:arm" | sha256sum | cut -c1-64)
  assert_contains "$(ctapp pull "$M/test/multi:1")" "sha256:$box" "amd64 chosen on this machine"
  assert_contains "$(ctapp pull --platform=linux/arm64 "$M/test/multi:1")" "sha256:$arm" "--platform picks arm64"
  out=$(ctapp pull --platform=linux/s390x "$M/test/multi:1" 2>&1)
  assert_contains "$out" "has no image for linux/s390x (it has linux/arm64, linux/amd64)" "offered platforms, attestation skipped"
}

test_basic_auth_with_credentials_from_an_auth_file() {
  A=127.0.0.1:$auth_PORT
  skopeo copy --quiet --dest-tls-verify=false --dest-creds alice:wonderland "oci:$images:box" "docker://$A/test/box:1" || fail "push"
  insecure_conf "$auth_PORT"
  out=$(REGISTRY_AUTH_FILE=/nonexistent ctapp pull "$A/test/box:1" 2>&1)
  assert_eq 1 "$?" "no credentials: refused"
  assert_contains "$out" "wants a user name and password" "and says how to log in"
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$A" "$(printf alice:wonderland | base64)" > "$ROOT/auth.json"
  REGISTRY_AUTH_FILE=$ROOT/auth.json ctapp pull "$A/test/box:1" >/dev/null || fail "pull with credentials failed"
}

test_short_names_use_aliases_and_search_registries_and_mirrors_come_first() {
  mkdir -p "$ROOT/etc/containers/registries.conf.d"
  printf 'unqualified-search-registries = ["127.0.0.1:%s"]\n[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' \
    "$main_PORT" "$main_PORT" > "$ROOT/etc/containers/registries.conf"
  printf '[aliases]\n"boxalias" = "127.0.0.1:%s/test/box"\n' "$main_PORT" > "$ROOT/etc/containers/registries.conf.d/shortnames.conf"
  ctapp pull boxalias:1 >/dev/null || fail "alias"
  ctapp pull test/two:1 >/dev/null || fail "search registry"
  # A registry whose location answers nothing, with a working mirror.
  printf '[[registry]]\nprefix = "registry.example"\nlocation = "127.0.0.9:1"\n[[registry.mirror]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' \
    "$main_PORT" > "$ROOT/etc/containers/registries.conf"
  out=$(ctapp pull registry.example/test/box:1 2>&1) || fail "mirror: $out"
  rm -rf "$ROOT/etc/containers/registries.conf.d"
}

test_ctapp_reads_a_store_skopeo_wrote_and_prepare_pulls_what_is_missing() {
  insecure_conf "$main_PORT"
  rm -rf "$ROOT/var/lib/ctapp/images"
  skopeo copy --quiet --src-tls-verify=false "docker://$M/test/box:1" "oci:$ROOT/var/lib/ctapp/images:$M/test/box:1" || fail "skopeo copy"
  mkdir -p "$ROOT/etc/containers.d"
  printf 'image = "%s/test/box:1"\n' "$M" > "$ROOT/etc/containers.d/pulled.ctapp"
  out=$(ctapp run --foreground pulled 2>&1)
  assert_contains "$out" "hello from a pulled image" "ran from the skopeo-written store"
  assert_not_contains "$out" "pulling" "nothing pulled"
  printf 'image = "%s/test/two:1"\n[run]\ncommand = ["cat", "/second-layer"]\n' "$M" > "$ROOT/etc/containers.d/pulled.ctapp"
  out=$(ctapp run --foreground pulled 2>&1)
  assert_contains "$out" "pulling $M/test/two:1" "prepare pulled the missing image"
  assert_contains "$out" "second" "and ran it"
  assert_eq "" "$(leftovers)" "nothing left"
}

# The fake registry: start it in MODE, sets FAKE (host:port) and its pid.
start_fake() {
  local out=$ROOT/fake-$1.port
  /usr/bin/python3 "$here/fake-registry.py" "$images" box "$1" > "$out" 2>"$ROOT/fake-$1.log" &
  pids+=($!)
  fake_pid=$!
  wait_until 10 test -s "$out" || fail "the fake registry did not start"
  FAKE=127.0.0.1:$(head -1 "$out")
  insecure_conf "${FAKE#*:}"
}
fake_pull() { rm -rf "$ROOT/var/lib/ctapp/images"; ctapp pull "$FAKE/test/box:box" 2>&1; }

test_bearer_token_flow_with_service_and_scope() {
  start_fake bearer
  out=$(fake_pull) || fail "pull with a token failed: $out"
}

test_a_cross_host_redirect_never_carries_the_authorization_header() {
  start_fake redirect
  out=$(fake_pull) || fail "pull through the redirect failed: $out"
  assert_contains "$(curl -s "http://$FAKE/log")" "127.0.0.2:${FAKE#*:} /cdn/" "blobs came from the other host"
}

test_429_and_500_are_retried() {
  start_fake 429
  out=$(fake_pull) || fail "429 then success: $out"
  start_fake 500
  out=$(fake_pull) || fail "500 then success: $out"
}

test_a_dropped_transfer_resumes_with_range() {
  start_fake truncate
  out=$(fake_pull) || fail "resume failed: $out"
}

test_a_blob_with_the_wrong_digest_never_enters_the_store() {
  start_fake wrong-digest
  out=$(fake_pull)
  assert_eq 1 "$?" "the pull fails"
  assert_contains "$out" "refusing it" "and names the blob"
  assert_eq "" "$(umoci ls --layout "$ROOT/var/lib/ctapp/images" 2>/dev/null)" "no image in the store"
  assert_eq "" "$(ls "$ROOT/var/lib/ctapp/images/.ctapp-tmp" | grep -v lock || true)" "no temporary left"
}

# pull_fails TAG MESSAGE: the pull of FAKE/test/box:TAG exits 1 (not 134)
# and says MESSAGE.
pull_fails() {
  out=$(ctapp pull "$FAKE/test/box:$1" 2>&1)
  assert_eq 1 "$?" "$1: the pull fails cleanly"
  assert_contains "$out" "$2" "$1: and says why"
}

test_hostile_registry_documents_are_clean_errors() {
  start_fake hostile
  rm -rf "$ROOT/var/lib/ctapp/images"
  pull_fails wrong-type "manifest sha256:"
  pull_fails wrong-type "'mediaType' must be a string, not a number"
  pull_fails bad-os "'manifests[0].platform.os' must be a string, not a number"
  pull_fails content-type "the registry sent a Content-Type header that is not a media type"
  pull_fails deep "nests deeper than 64 levels"
  pull_fails chain "is nested in more than 8 other indexes: not an image ctapp uses"
  assert_eq "" "$(umoci ls --layout "$ROOT/var/lib/ctapp/images" 2>/dev/null)" "no image in the store"
}

test_a_manifest_that_lists_a_blob_twice_pulls() {
  start_fake hostile
  rm -rf "$ROOT/var/lib/ctapp/images"
  out=$(ctapp pull "$FAKE/test/box:dup" 2>&1) || fail "the pull failed: $out"
  assert_contains "$out" "$FAKE/test/box:dup sha256:" "the image is in the store"
  assert_eq "" "$(ls "$ROOT/var/lib/ctapp/images/.ctapp-tmp" | grep -v lock || true)" "no temporary left"
}

test_a_manifest_tampered_by_the_registry_is_refused_when_pulling_by_digest() {
  start_fake tamper
  rm -rf "$ROOT/var/lib/ctapp/images"
  digest=$(skopeo inspect --raw "oci:$images:box" | sha256sum | cut -c1-64)
  out=$(ctapp pull "$FAKE/test/box@sha256:$digest" 2>&1)
  assert_eq 1 "$?" "the pull fails"
  assert_contains "$out" "@sha256:$digest: the registry sent a manifest whose digest is sha256:" "and says why"
  assert_eq "" "$(ls "$ROOT/var/lib/ctapp/images/blobs/sha256")" "nothing in the store"
  assert_eq "" "$(ls "$ROOT/var/lib/ctapp/images/.ctapp-tmp" | grep -v lock || true)" "no temporary left"
}

test_credentials_never_go_to_a_plain_http_token_service_on_another_host() {
  start_fake foreign-realm
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$FAKE" "$(printf alice:wonderland | base64)" > "$ROOT/auth.json"
  rm -rf "$ROOT/var/lib/ctapp/images"
  out=$(REGISTRY_AUTH_FILE=$ROOT/auth.json ctapp pull "$FAKE/test/box:box" 2>&1)
  assert_eq 1 "$?" "refused with credentials"
  assert_contains "$out" "the token service 'http://127.0.0.2:${FAKE#*:}/token' is plain HTTP on another host: ctapp does not send the credentials" "and says why"
  assert_not_contains "$(curl -s "http://$FAKE/log")" "token service got credentials" "the password never left"
  out=$(REGISTRY_AUTH_FILE=/nonexistent ctapp pull "$FAKE/test/box:box" 2>&1) || fail "an anonymous token still works: $out"
}

test_temporaries_of_a_killed_pull_are_removed_by_the_next_pull() {
  start_fake 500
  rm -rf "$ROOT/var/lib/ctapp/images"
  mkdir -p "$ROOT/var/lib/ctapp/images/.ctapp-tmp"
  echo partial > "$ROOT/var/lib/ctapp/images/.ctapp-tmp/pull-0123456789abcdef-99999"
  echo partial > "$ROOT/var/lib/ctapp/images/.ctapp-tmp/import-0123456789abcdef-99999"
  out=$(ctapp pull "$FAKE/test/box:box" 2>&1) || fail "the pull failed: $out"
  assert_eq "" "$(ls "$ROOT/var/lib/ctapp/images/.ctapp-tmp" | grep -v lock || true)" "the leftovers are gone"
}

test_an_import_that_fills_the_disk_says_so_and_leaves_nothing() {
  rm -rf "$ROOT/var/lib/ctapp/images"
  mkdir -p "$ROOT/var/lib/ctapp/images"
  mount -t tmpfs -o size=256k tmpfs "$ROOT/var/lib/ctapp/images" || { fail "cannot mount a tmpfs"; return; }
  out=$(ctapp pull "oci:$images:box" 2>&1)
  status=$?
  leftover=$(ls "$ROOT/var/lib/ctapp/images/.ctapp-tmp" | grep -v lock || true)
  umount "$ROOT/var/lib/ctapp/images"
  assert_eq 1 "$status" "the import fails"
  assert_contains "$out" "No space left on device" "and says the disk is full"
  assert_eq "" "$leftover" "its partial copy is removed"
}

test_imported_images_have_valid_ref_names_skopeo_can_address() {
  rm -rf "$ROOT/var/lib/ctapp/images"
  out=$(ctapp pull "oci:$images:box") || fail "import failed: $out"
  name=oci${images}:box
  assert_contains "$out" "$name sha256:" "stored under oci/PATH:TAG"
  skopeo inspect --raw "oci:$ROOT/var/lib/ctapp/images:$name" >/dev/null || fail "skopeo cannot address '$name'"
  assert_contains "$(ctapp images --json)" "\"name\": \"$name\"" "ctapp images lists it"
  mkdir -p "$ROOT/etc/containers.d"
  printf 'image = "oci:%s:box"\n' "$images" > "$ROOT/etc/containers.d/pulled.ctapp"
  out=$(ctapp run --foreground pulled 2>&1)
  assert_contains "$out" "hello from a pulled image" "prepare found the imported image"
  assert_not_contains "$out" "pulling" "without importing it again"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_an_env_file_that_is_not_utf8_is_refused_naming_its_line() {
  mkdir -p "$ROOT/etc/containers.d" "$ROOT/etc/ctapp"
  printf 'GOOD=1\nBAD=caf\351\n' > "$ROOT/etc/ctapp/latin1.env"
  printf 'image = "oci:%s:box"\n[run]\nenv_files = ["%s"]\n' "$images" "$ROOT/etc/ctapp/latin1.env" \
    > "$ROOT/etc/containers.d/latin1.ctapp"
  out=$(ctapp prepare latin1 2>&1)
  assert_eq 1 "$?" "prepare fails cleanly"
  assert_contains "$out" "$ROOT/etc/ctapp/latin1.env:2: not UTF-8 text: save the env file as UTF-8" "naming file and line"
  ctapp cleanup latin1 >/dev/null 2>&1
  rm -f "$ROOT/etc/containers.d/latin1.ctapp"
  assert_eq "" "$(leftovers)" "nothing left"
}

test_a_chain_of_indexes_in_a_layout_is_bounded() {
  chain=$ROOT/chain-layout
  rm -rf "$chain"
  cp -a "$images" "$chain"
  /usr/bin/python3 - "$chain" <<'PY'
import hashlib, json, sys
layout = sys.argv[1]
index = json.load(open(f"{layout}/index.json"))
entry = [m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == "box"][0]
descriptor = {"mediaType": entry["mediaType"], "digest": entry["digest"], "size": entry["size"]}
for _ in range(20000):
    data = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                       "manifests": [{**descriptor, "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
    digest = hashlib.sha256(data).hexdigest()
    open(f"{layout}/blobs/sha256/{digest}", "wb").write(data)
    descriptor = {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": f"sha256:{digest}", "size": len(data)}
index["manifests"].append({**descriptor, "annotations": {"org.opencontainers.image.ref.name": "chain"}})
json.dump(index, open(f"{layout}/index.json", "w"))
PY
  out=$(ctapp pull "oci:$chain:chain" 2>&1)
  assert_eq 1 "$?" "the import fails cleanly"
  assert_contains "$out" "is nested in more than 8 other indexes: not an image ctapp uses" "and says why"
  rm -rf "$chain"
}

test_a_stalled_transfer_fails_after_the_stall_timeout() {
  start_fake stall
  start=$(date +%s)
  out=$(CTAPP_STALL_TIMEOUT=2 fake_pull)
  assert_eq 1 "$?" "the pull fails"
  assert_contains "$out" "stalled" "and says it stalled"
  [ $(( $(date +%s) - start )) -lt 30 ] || fail "it took too long to give up"
}

test_an_oci_archive_is_imported_for_air_gapped_machines() {
  skopeo copy --quiet "oci:$images:box" "oci-archive:$ROOT/box.tar:box" || fail "skopeo could not write the archive"
  out=$(ctapp pull "oci-archive:$ROOT/box.tar:box") || fail "pull from the archive failed: $out"
  assert_contains "$out" "oci-archive$ROOT/box.tar:box sha256:" "stored under the archive's ref name"
  [ -z "$(ls "$ROOT/var/lib/ctapp/images/.ctapp-tmp" | grep -v lock)" ] || fail "the extracted archive was left behind"
}

# Each ends within seconds (timeout 20 catches a read that never ends),
# exits 1 naming the source or the entry, and leaves no extracted directory.
test_hostile_oci_archives_end_fast_with_a_clear_error() {
  local dir=$ROOT/hostile-layout out rc
  mkfifo "$ROOT/pipe"
  for source in /dev/zero "$ROOT/pipe"; do
    out=$(timeout 20 "$CTAPP" --root "$ROOT" pull "oci-archive:$source" 2>&1); rc=$?
    assert_eq 1 "$rc" "pull oci-archive:$source: $out"
    assert_contains "$out" "'$source' is not a regular file: an oci-archive: source must be an archive file" "$source refused"
  done
  mkdir -p "$dir"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  ln -s /dev/zero "$dir/index.json"
  tar -C "$dir" -cf "$ROOT/link.tar" oci-layout index.json
  out=$(timeout 20 "$CTAPP" --root "$ROOT" pull "oci-archive:$ROOT/link.tar" 2>&1); rc=$?
  assert_eq 1 "$rc" "pull of an archive with index.json -> /dev/zero: $out"
  assert_contains "$out" "oci-archive '$ROOT/link.tar': entry 'index.json': it is a symlink: an oci-archive may only hold regular files and directories" "symlink entry refused"
  rm "$dir/index.json"
  mkfifo "$dir/index.json"
  tar -C "$dir" -cf "$ROOT/fifo.tar" oci-layout index.json
  out=$(timeout 20 "$CTAPP" --root "$ROOT" pull "oci-archive:$ROOT/fifo.tar" 2>&1); rc=$?
  assert_eq 1 "$rc" "pull of an archive with a FIFO: $out"
  assert_contains "$out" "entry 'index.json': it is a FIFO" "FIFO entry refused"
  [ -z "$(ls "$ROOT/var/lib/ctapp/images/.ctapp-tmp" | grep -v lock)" ] || fail "an extracted archive was left behind: $(ls "$ROOT/var/lib/ctapp/images/.ctapp-tmp")"
}

test_a_pull_under_systemd_extends_the_start_timeout_while_data_flows() {
  start_fake slow
  rm -rf "$ROOT/var/lib/ctapp/images"
  messages=$(/usr/bin/python3 - "$ROOT/notify.sock" "$CTAPP" --root "$ROOT" pull "$FAKE/test/box:box" <<'PY'
import os, socket, subprocess, sys
path = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
sock.settimeout(0.2)
process = subprocess.Popen(sys.argv[2:], env={**os.environ, "NOTIFY_SOCKET": path},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
got = []
while process.poll() is None:
    try:
        got.append(sock.recv(4096).decode())
    except socket.timeout:
        pass
print(process.returncode)
print("".join(got))
PY
)
  assert_eq 0 "$(echo "$messages" | head -1)" "the slow pull succeeds"
  assert_contains "$messages" "EXTEND_TIMEOUT_USEC=30000000" "systemd is told to wait longer"
  assert_contains "$messages" "STATUS=Pulling $FAKE/test/box:box" "with a status line"
}

test_a_trickling_registry_cannot_hold_a_start_past_pull_timeout() {
  start_fake slow  # about 8 s for the image: progress all the way
  rm -rf "$ROOT/var/lib/ctapp/images"
  mkdir -p "$ROOT/etc/containers.d"
  printf 'image = "%s/test/box:box"\n[service]\npull_timeout = "2s"\n' "$FAKE" > "$ROOT/etc/containers.d/trickle.ctapp"
  local out rc started
  started=$(date +%s)
  out=$(timeout 60 "$CTAPP" --root "$ROOT" prepare trickle 2>&1); rc=$?
  assert_eq 1 "$rc" "prepare fails at the time limit: $out"
  assert_contains "$out" "the pull did not finish within pull_timeout = \"2s\" of app 'trickle'; raise it if the registry is this slow" "and says which limit"
  [ $(( $(date +%s) - started )) -lt 7 ] || fail "prepare took $(( $(date +%s) - started )) s, past the 2 s limit"
  [ -z "$(ls "$ROOT/var/lib/ctapp/images/.ctapp-tmp" 2>/dev/null | grep -v lock)" ] || fail "a partial download was left: $(ls "$ROOT/var/lib/ctapp/images/.ctapp-tmp")"
  printf 'image = "%s/test/box:box"\n' "$FAKE" > "$ROOT/etc/containers.d/trickle.ctapp"
  "$CTAPP" --root "$ROOT" prepare trickle >/dev/null 2>&1 || fail "with the default limit the slow pull succeeds"
  "$CTAPP" --root "$ROOT" cleanup trickle
  rm -f "$ROOT/etc/containers.d/trickle.ctapp"
}

run_tests
