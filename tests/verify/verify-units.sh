#!/bin/sh
# Installs the build into a scratch root and checks, with systemd's own
# parser, that the template unit plus the drop-ins generated for every
# example are valid: `systemd-analyze verify` must exit 0 and print nothing.
# Also checks that every example passes `ctapp check` and that install put
# the generator, helper, unit and man pages where systemd and man look.
# Usage: verify-units.sh SOURCE_DIR BUILD_DIR
set -eu
source_dir=$1
build_dir=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
root=$scratch/root
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

meson install -C "$build_dir" --no-rebuild --quiet --destdir "$root" >/dev/null

generator=$(find "$root" -path '*/system-generators/ctapp-generator' -type f)
template=$(find "$root" -path '*/systemd/system/ctapp@.service' -type f)
helper=$(find "$root" -path '*/bin/ctapp' -type f)
[ -n "$generator" ] || fail "ctapp-generator is not installed in a system-generators directory"
[ -n "$template" ] || fail "ctapp@.service is not installed in a systemd unit directory"
[ -n "$helper" ] || fail "ctapp is not installed in a bin directory"
for page in man5/ctapp.ctapp.5 man8/ctapp.8 man8/ctapp-generator.8; do
  find "$root" -path "*/man/$page" | grep -q . || fail "man page $page is not installed"
done
# Delegate=yes would make it "continue": an OOM kill must fail the unit.
grep -qx 'OOMPolicy=stop' "$template" || fail "ctapp@.service does not set OOMPolicy=stop"
[ "$failures" -eq 0 ] || exit 1

"$helper" check "$source_dir"/examples/*.ctapp || fail "ctapp check rejects an example"

# The targets and slices the unit depends on, from the machine's systemd.
unit_dir=$(dirname "$template")
for unit in /lib/systemd/system/*.target /lib/systemd/system/*.slice; do
  [ -e "$unit_dir/$(basename "$unit")" ] || cp "$unit" "$unit_dir/"
done
out=$root/etc/systemd/system
mkdir -p "$out"
CTAPP_CONFIG_PATH=$source_dir/examples:$source_dir/tests/verify/apps "$generator" "$out" "$out" "$out"

apps=$(cd "$source_dir" && ls examples/*.ctapp tests/verify/apps/*.ctapp | xargs -n1 basename | sed 's/\.ctapp$//')
[ -n "$apps" ] || fail "no examples found"
for app in $apps; do
  [ -f "$out/ctapp@$app.service.d/50-ctapp.conf" ] || { fail "no drop-in for $app"; continue; }
  if ! output=$(systemd-analyze verify --root="$root" --man=no "ctapp@$app.service" 2>&1); then
    fail "systemd-analyze verify ctapp@$app.service failed:"; echo "$output"
  elif [ -n "$output" ]; then
    fail "systemd-analyze verify ctapp@$app.service warned:"; echo "$output"
  else
    echo "ok: ctapp@$app.service"
  fi
done
# systemd-analyze verify above warns about a value it cannot parse
# ("Invalid CPU quota '20%%'"); and these are the exact lines written.
limits=$out/ctapp@limits.service.d/50-ctapp.conf
for line in 'CPUQuota=20%' 'MemoryMax=50%' 'TasksMax=10%' 'Description=limits at 50%% of %%n'; do
  grep -qxF "$line" "$limits" || fail "ctapp@limits.service: '$line' not in the drop-in: $(cat "$limits")"
done
reload=$out/ctapp@reload.service.d/50-ctapp.conf
for line in 'AllowedCPUs=0-1,3' 'IOWeight=300' 'MemorySwapMax=10%' "ExecReload=${helper#"$root"} reload reload"; do
  grep -qxF "$line" "$reload" || fail "ctapp@reload.service: '$line' not in the drop-in: $(cat "$reload")"
done
credentials=$out/ctapp@credentials.service.d/50-ctapp.conf
for line in 'LoadCredential=token:/etc/ctapp/token' 'LoadCredential=odd:/etc/ctapp/50%%'; do
  grep -qxF "$line" "$credentials" || fail "ctapp@credentials.service: '$line' not in the drop-in: $(cat "$credentials")"
done
# The automatic update units: installed, valid, and the service runs the
# opted-in apps' update.
for unit in ctapp-update.service ctapp-update.timer; do
  [ -f "$unit_dir/$unit" ] || { fail "$unit is not installed in '$unit_dir'"; continue; }
  if ! output=$(systemd-analyze verify --root="$root" --man=no "$unit" 2>&1) || [ -n "$output" ]; then
    fail "systemd-analyze verify $unit: $output"
  else
    echo "ok: $unit"
  fi
done
grep -qxF "ExecStart=${helper#"$root"} update --restart --auto" "$unit_dir/ctapp-update.service" ||
  fail "ctapp-update.service does not run 'ctapp update --restart --auto'"
[ "$failures" -eq 0 ]
