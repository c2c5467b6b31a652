#!/bin/bash
# [network] mode = "app:OTHER" (a sidecar) with real runc and the real CNI
# plugins, as root, inside a network and mount namespace this test creates
# (as network-test.sh does): the sidecar shares OTHER's namespace, runs no
# CNI of its own, is refused when OTHER is not running or uses the host's
# network, and its cleanup leaves OTHER's namespace working.
# Usage (meson sets CTAPP, CTAPP_SUPERVISE, CTAPP_CNI_SHIPPED_DIR):
#   sidecar-test.sh SOURCE_DIR
if [ -z "${CTAPP_NETNS_TEST:-}" ]; then
  exec env CTAPP_NETNS_TEST=1 unshare --net --mount --propagation private "$0" "$@"
fi
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
export CTAPP_SUPERVISE CTAPP_CNI_SHIPPED_DIR
require ip link set lo up
ROOT=$(mktemp -d /tmp/ctapp-sidecar.XXXXXX)
chmod 755 "$ROOT"
mkdir -m 755 "$ROOT/run"
run_pids=()
trap 'for p in "${run_pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
      for a in side side-bridged side-host side-idle pod bridged hostnet idle; do "$CTAPP" --root "$ROOT" cleanup $a >/dev/null 2>&1; done
      rm -rf "$ROOT"' EXIT
require mkdir -p "$ROOT/etc/containers.d"
require "$source_dir/tests/images/make-busybox-image.sh" "$ROOT/layout" box sh >/dev/null
ctapp() { "$CTAPP" --root "$ROOT" "$@"; }

write_app() {  # NAME BODY
  printf 'image = "oci:%s:box"\n%s\n' "$ROOT/layout" "$2" > "$ROOT/etc/containers.d/$1.ctapp"
}
volume() { echo "$ROOT/var/lib/ctapp/apps/$1/volumes/data"; }
is_running() { ctapp status "$1" --json 2>/dev/null | grep -q '"state": "running"'; }
# Starts app NAME in the background unless it runs already; waits until its
# container runs.
ensure_running() {
  is_running "$1" && return 0
  "$CTAPP" --root "$ROOT" run --foreground "$1" > "$ROOT/$1.log" 2>&1 &
  run_pids+=($!)
  wait_until 30 is_running "$1" || { fail "app '$1' never ran: $(tail -5 "$ROOT/$1.log")"; return 1; }
}

# A server on the loopback of its own namespace only (mode none): reachable
# on 127.0.0.1 by what shares that namespace, and by nothing else.
ensure_pod() {
  write_app pod '[run]
command = ["sh", "-c", "echo served-in-the-pod > /tmp/index.html; exec httpd -f -p 127.0.0.1:8080 -h /tmp"]
hostname = "pod-host"
[network]
mode = "none"
[service]
stop_timeout = 1'
  ensure_running pod
}

ensure_bridged() {
  write_app bridged '[run]
command = ["sh", "-c", "echo served-over-bridge > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
[network]
mode = "bridge"
publish = ["18091:8080/tcp"]
[service]
stop_timeout = 1'
  ensure_running bridged || return
  wait_until 30 busybox wget -q -O /dev/null http://127.0.0.1:18091/ ||
    { fail "127.0.0.1:18091 never answered: $(tail -5 "$ROOT/bridged.log")"; return 1; }
}

# The sidecar's command: fetch URL into /data/got, retrying while the
# server starts (at most 10 s), and record what it sees of its namespace.
sidecar_command() {  # URL
  echo "[\"sh\", \"-c\", \"for i in \$(seq 100); do wget -q -O /data/got $1 && break; sleep 0.1; done; cat /etc/hostname > /data/hostname; cat /etc/hosts > /data/hosts; stat -L -c %i /proc/self/ns/net > /data/netns; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\\\n' ' ' > /data/devices\"]"
}

test_a_sidecar_reaches_the_server_of_the_other_app_on_127_0_0_1() {
  ensure_pod || return
  write_app side "[run]
command = $(sidecar_command http://127.0.0.1:8080/)
[network]
mode = \"app:pod\""
  out=$(ctapp run --foreground side 2>&1)
  assert_eq 0 "$?" "the sidecar ran: $out"
  assert_eq "served-in-the-pod" "$(cat "$(volume side)/got" 2>/dev/null)" "fetched from 127.0.0.1:8080 of the pod"
  local pid
  pid=$(runc --root "$ROOT/run/ctapp/runc" state pod | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
  assert_eq "$(stat -L -c %i "/proc/$pid/ns/net")" "$(cat "$(volume side)/netns" 2>/dev/null)" "one namespace"
  assert_eq "pod-host" "$(cat "$(volume side)/hostname" 2>/dev/null)" "the pod's hostname"
  assert_contains "$(cat "$(volume side)/hosts" 2>/dev/null)" "127.0.1.1	pod-host" "the pod's /etc/hosts"
  assert_eq "lo " "$(cat "$(volume side)/devices" 2>/dev/null)" "loopback only, as the pod"
}

test_a_sidecar_of_a_bridge_app_shares_its_address_and_runs_no_cni() {
  ensure_bridged || return
  local addr veths_before
  addr=$(ctapp status bridged --json | sed -n 's/.*"\([0-9.]*\)\/[0-9]*".*/\1/p' | head -1)
  veths_before=$(ip -o link show type veth | wc -l)
  write_app side-bridged "[run]
command = $(sidecar_command "http://$addr:8080/")
[network]
mode = \"app:bridged\""
  out=$(ctapp run --foreground side-bridged 2>&1)
  assert_eq 0 "$?" "the sidecar ran: $out"
  assert_eq "served-over-bridge" "$(cat "$(volume side-bridged)/got" 2>/dev/null)" "fetched from the app's address"
  assert_eq "$(stat -L -c %i "$ROOT/run/netns/ctapp-bridged")" "$(cat "$(volume side-bridged)/netns" 2>/dev/null)" \
    "the sidecar ran in ROOT/run/netns/ctapp-bridged"
  assert_eq "eth0 lo " "$(cat "$(volume side-bridged)/devices" 2>/dev/null)" "the app's interfaces"
  assert_eq "bridged" "$(cat "$(volume side-bridged)/hostname" 2>/dev/null)" "the app's hostname"
  assert_contains "$(cat "$(volume side-bridged)/hosts" 2>/dev/null)" "$addr	bridged" "the app's /etc/hosts"
  assert_eq "$veths_before" "$(ip -o link show type veth | wc -l)" "no veth of its own"
  [ ! -e "$ROOT/run/netns/ctapp-side-bridged" ] || fail "the sidecar made a namespace of its own"
}

test_cleanup_of_a_sidecar_leaves_the_other_apps_network_working() {
  ensure_bridged || return
  write_app side-bridged '[run]
command = ["sleep", "600"]
[network]
mode = "app:bridged"
[service]
stop_timeout = 1'
  ensure_running side-bridged || return
  out=$(ctapp cleanup side-bridged 2>&1)
  assert_eq 0 "$?" "cleanup of the sidecar: $out"
  wait_until 10 sh -c "! runc --root '$ROOT/run/ctapp/runc' list -q | grep -qx side-bridged" ||
    fail "the sidecar's container is left"
  [ -e "$ROOT/run/netns/ctapp-bridged" ] || fail "the app's namespace was removed"
  assert_eq "served-over-bridge" "$(busybox wget -q -O - http://127.0.0.1:18091/)" "the app still serves on its published port"
  is_running bridged || fail "the app stopped"
  [ -e "$ROOT/run/ctapp/bridged/network.json" ] || fail "the app's network record was removed"
}

test_a_sidecar_is_refused_when_the_other_app_is_not_running() {
  write_app idle '[run]
command = ["sleep", "600"]
[network]
mode = "bridge"'
  write_app side-idle '[network]
mode = "app:idle"'
  out=$(ctapp prepare side-idle 2>&1)
  assert_eq 1 "$?" "prepare fails"
  assert_contains "$out" "app 'side-idle' joins the network of app 'idle', which is not running: it has no systemd unit; start it with 'ctapp run --foreground idle'" "and says why"
  [ ! -e "$ROOT/run/netns/ctapp-idle" ] || fail "a namespace was made for the other app"
  [ ! -e "$ROOT/run/netns/ctapp-side-idle" ] || fail "a namespace was made for the sidecar"
}

test_a_sidecar_of_an_app_on_the_host_network_is_refused() {
  write_app hostnet '[run]
command = ["sleep", "600"]'
  write_app side-host '[network]
mode = "app:hostnet"'
  out=$(ctapp prepare side-host 2>&1)
  assert_eq 1 "$?" "prepare fails"
  assert_contains "$out" "app 'side-host' joins the network of app 'hostnet', but 'hostnet' uses the machine's network ([network] mode host): there is no namespace of its own to share" "and says why"
}

test_a_sidecar_of_a_sidecar_is_refused() {
  write_app side-host '[network]
mode = "app:side"'
  write_app side '[network]
mode = "app:pod"'
  out=$(ctapp prepare side-host 2>&1)
  assert_eq 1 "$?" "prepare fails"
  assert_contains "$out" "app 'side-host' joins the network of app 'side', which itself joins the network of app 'pod': join 'pod' directly" "and says why"
}

run_tests
status=$?
for p in "${run_pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
run_pids=()
for a in side side-bridged side-host side-idle pod bridged hostnet idle; do ctapp cleanup $a >/dev/null 2>&1; done
left=$(leftovers)
[ -z "$left" ] || { echo "FAIL: left behind: $left"; status=1; }
exit $status
