. /e2e/guest-lib.sh
# systemd credentials reach the container read-only, from the [run]
# credentials key (LoadCredential=) and from [systemd.Service]
# SetCredential= and LoadCredentialEncrypted= (sealed with the guest's host
# key by systemd-creds); the container compares hashes, so no secret is ever in a
# file ctapp writes, and after stop nothing of them is left.
key_secret="key-file-secret-$$"
set_secret="set-credential-secret-$$"
mkdir -p /etc/ctapp
printf '%s' "$key_secret" > /etc/ctapp/token
chmod 0600 /etc/ctapp/token
sealed_secret="sealed-secret-$$"
printf '%s' "$sealed_secret" | systemd-creds encrypt --name=sealed - /etc/ctapp/sealed.cred ||
  die "systemd-creds encrypt failed"
key_hash=$(printf '%s' "$key_secret" | sha256sum | cut -d' ' -f1)
sealed_hash=$(printf '%s' "$sealed_secret" | sha256sum | cut -d' ' -f1)
set_hash=$(printf '%s' "$set_secret" | sha256sum | cut -d' ' -f1)
cat > /etc/containers.d/creds.ctapp <<APP
image = "oci:/srv/images:box"
[run]
credentials = ["token:/etc/ctapp/token"]
credentials_as_secrets = true
command = ["sh", "-c", "echo dir=\$CREDENTIALS_DIRECTORY; sha256sum \$CREDENTIALS_DIRECTORY/token \$CREDENTIALS_DIRECTORY/greeting \$CREDENTIALS_DIRECTORY/sealed /run/secrets/greeting; touch \$CREDENTIALS_DIRECTORY/new 2>&1; echo creds checked; exec sleep 1000000"]
[service]
stop_timeout = 1
[systemd.Service]
SetCredential = "greeting:$set_secret"
LoadCredentialEncrypted = "sealed:/etc/ctapp/sealed.cred"
APP
systemctl daemon-reload
unit=ctapp@creds.service
systemctl start $unit || die "start failed: $(journalctl -u $unit --no-pager | tail -5)"
wait_until 20 sh -c "journalctl -u $unit --no-pager | grep -q 'creds checked'" ||
  die "the app never got through its checks: $(journalctl -u $unit --no-pager | tail -5)"
log=$(journalctl -u $unit --no-pager -o cat)
assert_contains "$log" "dir=/run/credentials/ctapp" "CREDENTIALS_DIRECTORY inside"
assert_contains "$log" "$key_hash  /run/credentials/ctapp/token" "the credentials key's file (LoadCredential=)"
assert_contains "$log" "$set_hash  /run/credentials/ctapp/greeting" "SetCredential= from [systemd.Service]"
assert_contains "$log" "$sealed_hash  /run/credentials/ctapp/sealed" "LoadCredentialEncrypted= from [systemd.Service]"
assert_contains "$log" "$set_hash  /run/secrets/greeting" "credentials_as_secrets"
assert_contains "$log" "touch: /run/credentials/ctapp/new: Read-only file system" "not writable inside"
host_dir=/run/credentials/$unit
[ -d "$host_dir" ] || die "systemd made no $host_dir"
assert_eq "" "$(grep -rl -e "$key_secret" -e "$set_secret" -e "$sealed_secret" /opt/containers /var/lib/ctapp /run/ctapp 2>/dev/null)" \
  "no credential in a file ctapp wrote while running"
systemctl stop $unit || die "stop failed"
assert_nothing_left creds
[ ! -e "$host_dir" ] || die "$host_dir outlived the stop"
assert_eq "" "$(findmnt -rn -o TARGET | grep -e "credentials/ctapp" -e "/$unit" || true)" "no credentials mount of the app left"
assert_eq "" "$(grep -rl -e "$key_secret" -e "$set_secret" -e "$sealed_secret" /opt/containers /var/lib/ctapp /run/ctapp /tmp 2>/dev/null)" \
  "no credential on disk after stop"
rm -f /etc/containers.d/creds.ctapp
systemctl daemon-reload
echo "credentials readable inside, read-only, gone after stop"
