#!/bin/sh
# The main job, end to end as far as ctapp goes today: build ctapp, validate
# the example apps, show the units the generator makes for them at boot, and
# have systemd's own parser verify the template plus those drop-ins.
# Run as root on Debian 12 from the top of the source tree.
set -eu
cd "$(dirname "$0")/.."
[ -d build ] || meson setup build
ninja -C build
echo "== ctapp check examples/*.ctapp"
build/helper/ctapp check examples/*.ctapp && echo "all examples valid"
echo "== ctapp-generator --dry-run (what systemd gets at boot)"
CTAPP_CONFIG_PATH=$PWD/examples build/generator/ctapp-generator --dry-run
echo "== systemd-analyze verify of the installed template and drop-ins"
tests/verify/verify-units.sh "$PWD" "$PWD/build"
