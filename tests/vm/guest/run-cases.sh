# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the VM (from ctapp-vm.service, after ctapp's install was
# unpacked into /): each case of /vm/cases as a transient systemd unit, as
# the nspawn e2e does; writes every case's output and "VM-SUMMARY PASSED
# FAILED" to /dev/vdc for the host. The unit's SuccessAction powers off.
set -u
results=/run/vm-results
: > "$results"
say() { echo "$*" | tee -a "$results"; }

say "--- guest: $(uname -r), cgroup controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
state=$(systemctl is-system-running --wait)
say "--- guest state after boot: $state"
say "--- $(systemd-analyze time 2>&1 | head -1)"
mkdir -p /etc/containers.d
# ctapp's generator and unit template were installed after boot.
systemctl daemon-reload

selected() {  # CASE_FILE
  local pattern
  [ -s /vm/only ] || return 0
  set -f
  for pattern in $(cat /vm/only); do
    set +f
    # shellcheck disable=SC2254
    case "$(basename "$1")" in $pattern) return 0 ;; esac
  done
  set +f
  return 1
}

passed=0
failed=0
for case_file in /vm/cases/*.sh; do
  selected "$case_file" || continue
  name=$(basename "$case_file" .sh)
  say "--- $name"
  if systemd-run --quiet --wait --pipe --collect --service-type=exec \
      -p RuntimeMaxSec=600 -p StandardInput=null /bin/sh "$case_file" > "/run/vm-$name.log" 2>&1; then
    passed=$((passed + 1))
    sed 's/^/    /' "/run/vm-$name.log" >> "$results"
    say "    ok"
  else
    failed=$((failed + 1))
    sed 's/^/    /' "/run/vm-$name.log" >> "$results"
    say "    FAILED; the journal of its apps, last lines:"
    journalctl --no-pager -o short-monotonic -b -n 30 -u 'ctapp@*' | cut -c1-300 | sed 's/^/    | /' >> "$results"
  fi
done
say "VM-SUMMARY $passed $failed"
head -c 8000000 "$results" | dd of=/dev/vdc conv=fsync status=none
