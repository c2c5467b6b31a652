. /e2e/guest-lib.sh
# The image is not in the store: the start pulls it from the registry.
! ls -d /opt/containers/pulled-1-* >/dev/null 2>&1 || die "already unpacked before the first start"
assert_contains "$(systemctl cat ctapp@pulled.service)" "After=network-online.target" "an app that must pull waits for the network"
systemctl start ctapp@pulled.service || die "start failed: $(journalctl -u ctapp@pulled --no-pager | tail -5)"
tcp_answers 8082 || die "the pulled app does not answer"
journal=$(journalctl -u ctapp@pulled.service --no-pager)
assert_contains "$journal" "pulling 127.0.0.1:5000/e2e/box:1" "the journal shows the pull"
assert_contains "$journal" "pulled app running" "and the container's output"
assert_contains "$(ctapp images)" "127.0.0.1:5000/e2e/box:1" "the image is in the store"
systemctl stop ctapp@pulled.service
assert_nothing_left pulled
echo "pulled at start and ran"
