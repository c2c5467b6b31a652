. /e2e/guest-lib.sh
# The generator ran at boot: the template plus the generated drop-in.
unit=$(systemctl cat ctapp@hello.service)
assert_contains "$unit" "ExecStart=" "the template is there"
assert_contains "$unit" "ctapp@hello.service.d/50-ctapp.conf" "the drop-in is there"
assert_contains "$unit" "SourcePath=/etc/containers.d/hello.ctapp" "the drop-in names its source"
# wanted_by = multi-user.target: active after boot without anyone starting it.
wait_until 60 is_state ctapp@hello.service active || die "ctapp@hello is $(state_of ctapp@hello.service) after boot"
tcp_answers 8080 || die "the enabled app does not answer on 8080"
echo "ctapp@hello active after boot, drop-in from the generator"
