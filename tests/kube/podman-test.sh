#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real consumer of `ctapp kube generate`: Debian's podman plays the YAML
# of the busybox web example. The image is built offline and pushed to
# Debian's docker-registry on 127.0.0.1; podman runs with its own storage,
# run and network-config directories under a scratch directory, so the
# machine's /var/lib/containers is untouched, and everything is removed at
# the end.
# Usage: podman-test.sh SOURCE_DIR   (with $CTAPP)
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
: "${CTAPP:?set CTAPP to the ctapp binary}"
ROOT=$(mktemp -d /tmp/ctapp-kube-podman.XXXXXX)
registry_pid=""
played=()
podman_() {
  podman --root "$ROOT/podman/root" --runroot "$ROOT/podman/run" --tmpdir "$ROOT/podman/tmp" \
    --network-config-dir "$ROOT/podman/cni" "$@"
}
cleanup_all() {
  local yaml
  for yaml in "${played[@]}"; do podman_ kube down "$yaml" >/dev/null 2>&1; done
  podman_ system reset --force >/dev/null 2>&1
  [ -n "$registry_pid" ] && { kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null; }
  findmnt -rn -o TARGET | grep -F "$ROOT" | sort -r | xargs -r umount 2>/dev/null
  rm -rf "$ROOT"
}
trap cleanup_all EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# podman's settings for this machine: cgroupfs (PID 1 is not systemd),
# runc, events in a file. Podman gives every container (the pod's infra
# container too) RLIMIT_NPROC 4194304 and RLIMIT_NOFILE 1048576 unless told
# otherwise; where those are above this process's hard limits, runc's init
# fails with "error setting rlimits for ready process: ... operation not
# permitted", so the limits are set to what this machine allows.
mkdir -p "$ROOT/podman"
cat > "$ROOT/podman/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$ROOT/podman/events.log"
runtime = "runc"
CONF
export CONTAINERS_CONF=$ROOT/podman/containers.conf

registry_port=$(free_port)
mkdir -p "$ROOT/registry"
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$ROOT/registry/data" "$registry_port" > "$ROOT/registry/config.yml"
docker-registry serve "$ROOT/registry/config.yml" > "$ROOT/registry/log" 2>&1 &
registry_pid=$!
wait_until 20 curl -s -o /dev/null "http://127.0.0.1:$registry_port/v2/" || { fail "the registry did not start"; run_tests; exit 1; }
require "$source_dir/tests/images/make-busybox-image.sh" "$ROOT/layout" web sh >/dev/null
require skopeo copy --quiet --dest-tls-verify=false "oci:$ROOT/layout:web" \
  "docker://127.0.0.1:$registry_port/ctapp/web:1"

# play NAME: podman kube play of $ROOT/NAME.yaml
play() {
  played+=("$ROOT/$1.yaml")
  podman_ kube play --tls-verify=false "$ROOT/$1.yaml" > "$ROOT/$1.play" 2>&1 ||
    fail "podman kube play $1.yaml: $(cat "$ROOT/$1.play")"
}

# down NAME: podman kube down of $ROOT/NAME.yaml
down() {
  podman_ kube down "$ROOT/$1.yaml" >/dev/null 2>&1 || fail "podman kube down $1.yaml"
}

# assert_serves PORT BODY WHAT: the played pod's page on PORT is BODY.
assert_serves() {
  wait_until 60 curl -sf "http://127.0.0.1:$1/index.html" || fail "nothing answers on port $1"
  assert_eq "$2" "$(curl -sf "http://127.0.0.1:$1/index.html")" "$3"
}

# The busybox web example (examples/hello.ctapp) on a free port, from the
# registry: host network, so the page is on the machine's port.
test_podman_plays_the_host_network_web_example() {
  local port
  port=$(free_port)
  cat > "$ROOT/web.ctapp" <<APP
image = "127.0.0.1:$registry_port/ctapp/web:1"

[run]
command = ["/bin/sh", "-c", "echo hello from ctapp kube > /tmp/index.html; exec httpd -f -v -p $port -h /tmp"]

[service]
restart = "on-failure"
APP
  "$CTAPP" --root "$ROOT/ctapp" kube generate "$ROOT/web.ctapp" > "$ROOT/web.yaml" || fail "kube generate failed"
  assert_contains "$(cat "$ROOT/web.yaml")" "hostNetwork: true" "generated YAML"
  play web
  assert_serves "$port" "hello from ctapp kube" "the page served by the played pod"
  down web
  ! curl -sf -o /dev/null "http://127.0.0.1:$port/index.html" || fail "port $port still answers after kube down"
}

# The same app in bridge mode, its port published: podman maps the
# hostPort to the pod's own network namespace.
test_podman_plays_the_published_port_of_a_bridge_app() {
  local port
  port=$(free_port)
  cat > "$ROOT/bridged.ctapp" <<APP
image = "127.0.0.1:$registry_port/ctapp/web:1"

[run]
command = ["/bin/sh", "-c", "echo hello from a bridged pod > /tmp/index.html; exec httpd -f -v -p 8080 -h /tmp"]

[network]
mode = "bridge"
publish = ["127.0.0.1:$port:8080"]
APP
  "$CTAPP" --root "$ROOT/ctapp" kube generate "$ROOT/bridged.ctapp" > "$ROOT/bridged.yaml" || fail "kube generate failed"
  assert_contains "$(cat "$ROOT/bridged.yaml")" "hostPort: $port" "generated YAML"
  assert_not_contains "$(cat "$ROOT/bridged.yaml")" "hostNetwork" "generated YAML"
  play bridged
  assert_serves "$port" "hello from a bridged pod" "the page served through the published port"
  down bridged
}

run_tests
