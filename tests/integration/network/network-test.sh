#!/bin/bash
# Networking with the real CNI plugins, as root. The whole test runs inside
# a network namespace (and a private mount namespace) it creates first: the
# bridge, the apps, the iptables rules and the client all live there, so the
# machine's own network is never touched and nothing outlives the test.
# Usage (meson sets CTAPP, CTAPP_SUPERVISE, CTAPP_CNI_SHIPPED_DIR):
#   network-test.sh SOURCE_DIR
if [ -z "${CTAPP_NETNS_TEST:-}" ]; then
  exec env CTAPP_NETNS_TEST=1 unshare --net --mount --propagation private "$0" "$@"
fi
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
export CTAPP_SUPERVISE CTAPP_CNI_SHIPPED_DIR CTAPP_UDP_RECEIVER
require ip link set lo up
ROOT=$(mktemp -d /tmp/ctapp-network.XXXXXX)
chmod 755 "$ROOT"  # reachable by an app's root in a user namespace
mkdir -m 755 "$ROOT/run"  # as on a machine (see userns-test.sh)
run_pids=()
trap 'for p in "${run_pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
      for a in web web2 udp lonely client mapped-client cycler bare hung selfish labbed nonet; do "$CTAPP" --root "$ROOT" cleanup $a >/dev/null 2>&1; done
      rm -rf "$ROOT"' EXIT
require mkdir -p "$ROOT/etc/containers.d"
require "$source_dir/tests/images/make-busybox-image.sh" "$ROOT/layout" box sh >/dev/null
ctapp() { "$CTAPP" --root "$ROOT" "$@"; }

write_app() {  # NAME BODY
  printf 'image = "oci:%s:box"\n%s\n' "$ROOT/layout" "$2" > "$ROOT/etc/containers.d/$1.ctapp"
}
start_app() {
  "$CTAPP" --root "$ROOT" run --foreground "$1" > "$ROOT/$1.log" 2>&1 &
  run_pids+=($!)
}
stop_app() { ctapp cleanup "$1" >/dev/null 2>&1; }
volume() { echo "$ROOT/var/lib/ctapp/apps/$1/volumes/data"; }
address_of() { ctapp status "$1" --json | sed -n 's/.*"\([0-9.]*\)\/[0-9]*".*/\1/p' | head -1; }

# Things that must not leak: veths, netns files, nat rules, IPAM leases.
network_state() {
  echo "veths=$(ip -o link show type veth | wc -l)"
  echo "netns=$(ls "$ROOT/run/netns" 2>/dev/null | wc -l)"
  # (portmap's shared CNI-HOSTPORT-* chains stay by design; per-app ones must not)
  echo "nat=$(iptables -t nat -S | grep CNI | grep -vc HOSTPORT || true)"
  echo "leases=$(ls "$ROOT/var/lib/cni/networks/ctapp" 2>/dev/null | grep -cv -e lock -e last_reserved || true)"
}

# The bridged web server most tests talk to; started once, by whichever test
# needs it first, so every test also runs alone (ONLY=test_x).
ensure_web() {
  if ! ctapp status web --json 2>/dev/null | grep -q '"state": "running"'; then
    write_app web '[run]
command = ["sh", "-c", "echo served-over-bridge > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
[network]
mode = "bridge"
publish = ["18090:8080/tcp"]
[service]
notify = "healthy"
ready = "tcp:8080"
stop_timeout = 1'
    start_app web
  fi
  wait_until 30 busybox wget -q -O /dev/null http://127.0.0.1:18090/ ||
    { fail "127.0.0.1:18090 never answered: $(tail -5 "$ROOT/web.log")"; return 1; }
}

test_a_published_tcp_port_reaches_the_app_from_the_host_side() {
  ensure_web || return
  assert_eq "served-over-bridge" "$(busybox wget -q -O - http://127.0.0.1:18090/)" "through 127.0.0.1"
  assert_eq "served-over-bridge" "$(busybox wget -q -O - http://10.229.0.1:18090/)" "through the bridge's address"
  addr=$(address_of web)
  assert_contains "$addr" "10.229.0." "status shows the app's address"
  assert_contains "$(cat "$ROOT/run/ctapp/web/hosts")" "$addr	web" "/etc/hosts names the app"
}

test_two_apps_on_the_bridge_reach_each_other() {
  ensure_web || return
  addr=$(address_of web)
  write_app client "[run]
command = [\"sh\", \"-c\", \"wget -q -O /data/got http://$addr:8080/\"]
[network]
mode = \"bridge\""
  ctapp run --foreground client >/dev/null 2>&1 || fail "the client failed"
  assert_eq "served-over-bridge" "$(cat "$(volume client)/got" 2>/dev/null)" "the client fetched from the server's address"
}

test_an_app_in_a_user_namespace_joins_the_bridge() {
  ensure_web || return
  addr=$(address_of web)
  write_app mapped-client "[run]
command = [\"sh\", \"-c\", \"wget -q -O /data/got http://$addr:8080/ && ls /sys/class/net > /data/sys\"]
user_namespace = \"auto\"
[network]
mode = \"bridge\""
  ctapp run --foreground mapped-client >/dev/null 2>&1 || fail "the client in a user namespace failed"
  assert_eq "served-over-bridge" "$(cat "$(volume mapped-client)/got" 2>/dev/null)" "fetched over the bridge"
  assert_eq "$((0x70000000))" "$(stat -c %u "$(volume mapped-client)/got" 2>/dev/null)" "written by the app's root, a host id of its range"
}

test_a_published_udp_port_reaches_the_app() {
  write_app udp "[run]
command = [\"/bin/udp-receiver\", \"5353\", \"/data/received\"]
[[mount]]
source = \"$CTAPP_UDP_RECEIVER\"
target = \"/bin/udp-receiver\"
read_only = true
[network]
mode = \"bridge\"
publish = [\"15353:5353/udp\"]
[service]
stop_timeout = 1"
  start_app udp
  wait_until 30 test -e "$ROOT/run/ctapp/udp/state.json" ||
    fail "never started: $(cat "$ROOT/udp.log" "$ROOT/etc/containers.d/udp.ctapp")"
  send='import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"datagram", ("127.0.0.1", 15353))'
  wait_until 20 sh -c "/usr/bin/python3 -c '$send'; grep -q datagram '$(volume udp)/received'" ||
    fail "no datagram arrived through 127.0.0.1:15353/udp"
}

test_none_has_loopback_only_and_reaches_nothing() {
  # A server the app could reach if it had a route: the host reaches it.
  ensure_web || return
  write_app lonely '[run]
command = ["sh", "-c", "cat /proc/net/dev > /data/devices; wget -q -O /dev/null http://10.229.0.1:18090/ > /data/result 2>&1; echo status=$? >> /data/result"]
[network]
mode = "none"'
  ctapp run --foreground lonely >/dev/null 2>&1 || fail "the app failed: $(ctapp run --foreground lonely 2>&1 | tail -3)"
  local result
  result=$(cat "$(volume lonely)/result" 2>/dev/null)
  assert_not_contains "$result" "status=0" "a none app reaches nothing"
  # Only a network error counts as isolation, not any failure of wget (busybox
  # 1.35's wget -T crashes when a connect fails: that once passed as isolated).
  case "$result" in
    *"Network is unreachable"* | *"Connection refused"* | *"timed out"* | *"No route to host"*) ;;
    *) fail "wget failed, but not for want of a network: $result" ;;
  esac
  assert_eq "lo" "$(tail -n +3 "$(volume lonely)/devices" | awk -F: '{gsub(/ /,"",$1); print $1}' | tr '\n' ' ' | xargs)" "only lo"
}

test_a_custom_cni_network_from_etc_cni_net_d() {
  # network = "lab": ROOT/etc/cni/net.d/lab.conflist, another bridge and subnet.
  mkdir -p "$ROOT/etc/cni/net.d"
  sed -e 's/"name": "ctapp"/"name": "lab"/' -e 's/ctapp0/ctlab0/' -e 's/10\.229\.0\./10.231.0./g' \
    "$CTAPP_CNI_SHIPPED_DIR/ctapp.conflist" > "$ROOT/etc/cni/net.d/lab.conflist"
  grep -q '"subnet": "10.231.0.0/24"' "$ROOT/etc/cni/net.d/lab.conflist" || { fail "could not write lab.conflist"; return; }
  write_app labbed '[run]
command = ["sh", "-c", "touch /data/up; exec sleep 300"]
[network]
mode = "bridge"
network = "lab"
[service]
stop_timeout = 1'
  rm -f "$(volume labbed)/up"
  start_app labbed
  wait_until 30 test -e "$(volume labbed)/up" || { fail "never started: $(cat "$ROOT/labbed.log")"; return; }
  assert_contains "$(address_of labbed)" "10.231.0." "the app's address is from lab's subnet"
  ip link show ctlab0 >/dev/null 2>&1 || fail "lab's bridge ctlab0 does not exist"
  stop_app labbed
  wait "${run_pids[-1]}" 2>/dev/null
  assert_eq "0" "$(ls "$ROOT/var/lib/cni/networks/lab" 2>/dev/null | grep -cv -e lock -e last_reserved)" \
    "lab's address is released at stop"
  write_app nonet '[run]
command = ["true"]
[network]
mode = "bridge"
network = "no-such-network"'
  local out
  out=$(ctapp prepare nonet 2>&1)
  assert_eq 1 "$?" "an unknown network fails the prepare"
  assert_contains "$out" "no-such-network" "and names it"
  ctapp cleanup nonet >/dev/null 2>&1
}

test_stopping_removes_the_apps_network() {
  ensure_web || return
  for app in web udp; do stop_app $app; done
  for p in "${run_pids[@]}"; do wait "$p" 2>/dev/null; done
  run_pids=()
  assert_eq "veths=0 netns=0 nat=0 leases=0" "$(network_state | xargs)" "nothing left after stop"
}

test_attach_detach_cycles_leak_nothing() {
  # CTAPP_NETWORK_CYCLES: 50 (20 under the sanitizers, tests/integration/network/meson.build).
  write_app cycler '[run]
command = ["true"]
[network]
mode = "bridge"
publish = ["18091:8080/tcp", "18092:53/udp"]'
  local i cycles=${CTAPP_NETWORK_CYCLES:-50}
  for i in $(seq "$cycles"); do
    ctapp prepare cycler >/dev/null 2>&1 || { fail "prepare $i failed: $(ctapp prepare cycler 2>&1 | tail -1)"; break; }
    ctapp cleanup cycler >/dev/null 2>&1 || { fail "cleanup $i failed"; break; }
  done
  for i in $(seq 10); do
    ctapp run --foreground cycler >/dev/null 2>&1 || { fail "run $i failed"; break; }
  done
  assert_eq "veths=0 netns=0 nat=0 leases=0" "$(network_state | xargs)" "after $cycles cycles and 10 runs"
  assert_eq "" "$(leftovers)" "no mounts or containers"
}

test_host_mode_on_a_machine_without_hosts_or_resolv_conf() {
  # Minimal machines (debootstrap, some images) have neither file: the app
  # gets its own hosts file and no resolvers instead of failing to start.
  local etc=$ROOT/etc-without
  cp -a /etc "$etc" && rm -f "$etc/hosts" "$etc/resolv.conf"
  mount --bind "$etc" /etc || { fail "cannot bind a copy of /etc"; return; }
  write_app bare '[run]
command = ["sh", "-c", "cat /etc/hosts; echo resolv=$(wc -c < /etc/resolv.conf)"]'
  local out
  out=$("$CTAPP" --root "$ROOT" run --foreground bare 2>&1)
  umount /etc
  assert_contains "$out" "127.0.0.1	localhost" "a hosts file with localhost"
  assert_contains "$out" "127.0.1.1	bare" "and the app's hostname"
  assert_contains "$out" "resolv=0" "an empty resolv.conf"
}

test_a_bridge_app_reaches_itself_on_loopback() {
  write_app selfish '[run]
command = ["sh", "-c", "echo on-lo > /tmp/index.html; exec httpd -f -p 127.0.0.1:8081 -h /tmp"]
[network]
mode = "bridge"
[service]
notify = "healthy"
ready = ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8081/"]
ready_timeout = 20
stop_timeout = 1'
  start_app selfish
  wait_until 25 sh -c "'$CTAPP' --root '$ROOT' status selfish --json | grep -q '\"state\": \"running\"'" || { fail "never running: $(cat "$ROOT/selfish.log")"; return; }
  assert_eq "on-lo" "$(ctapp exec selfish wget -q -O - http://127.0.0.1:8081/)" "127.0.0.1 inside a bridge app"
  stop_app selfish
}

test_a_cni_plugin_that_never_exits_is_killed_at_its_timeout() {
  # A plugin (in a CNI_PATH of the test's own) that never answers, and a
  # conflist naming it.
  local plugins=$ROOT/hung-plugins
  mkdir -p "$plugins" "$ROOT/etc/cni/net.d"
  printf '#!/bin/sh\necho started >> %s/hung-plugin.log\nexec sleep 987\n' "$ROOT" > "$plugins/hang"
  chmod 755 "$plugins/hang"
  printf '{"cniVersion": "1.0.0", "name": "hung", "plugins": [{"type": "hang"}]}\n' \
    > "$ROOT/etc/cni/net.d/hung.conflist"
  write_app hung '[run]
command = ["true"]
[network]
mode = "bridge"
network = "hung"'
  local before after started
  before=$(network_state)
  started=$(date +%s)
  out=$(CNI_PATH=$plugins CTAPP_CNI_TIMEOUT_MS=1000 timeout 60 "$CTAPP" --root "$ROOT" prepare hung 2>&1)
  assert_eq 1 "$?" "prepare fails"
  assert_contains "$out" "CNI plugin 'hang' (ADD for network 'hung'): '$plugins/hang' did not finish within 1 s; killed it" "and says why"
  [ $(( $(date +%s) - started )) -lt 30 ] || fail "prepare took $(( $(date +%s) - started )) s"
  assert_eq "" "$(pgrep -f "$plugins/hang"; pgrep -fx 'sleep 987')" "the plugin and its child were killed"
  [ -s "$ROOT/hung-plugin.log" ] || fail "the plugin never ran"
  after=$(network_state)
  assert_eq "$before" "$after" "no netns or veth left"
  [ ! -e "$ROOT/run/netns/ctapp-hung" ] || fail "the app's netns is left"
  rm -f "$ROOT/etc/cni/net.d/hung.conflist"
}

run_tests
