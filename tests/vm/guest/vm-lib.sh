# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by every VM case: the e2e guest's helpers, and a wait bounded by
# time (under software emulation one systemctl takes up to a second, so
# guest-lib's wait_until, which counts tries, would wait many times longer).
. /e2e/guest-lib.sh

uptime_s() { cut -d. -f1 /proc/uptime; }

# wait_for SECONDS COMMAND...: retries every 0.2 s until COMMAND succeeds;
# fails once SECONDS have passed. COMMAND's stderr is kept.
wait_for() {
  local deadline=$(( $(uptime_s) + $1 ))
  shift
  while ! "$@" >/dev/null; do
    [ "$(uptime_s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
