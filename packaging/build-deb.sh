#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the Debian package (debian/) out of the source tree, which stays
# clean: the sources (git's tracked and untracked-but-not-ignored files, or
# the whole tree without build*/ when it is no git checkout) are copied into
# OUTDIR/src, `dpkg-buildpackage -b -us -uc` runs there, and ctapp_*.deb (with
# its .buildinfo and .changes) ends up in OUTDIR; OUTDIR/src is removed.
# Usage: packaging/build-deb.sh OUTDIR
# The build dependencies: .ci/install-deps (or `apt-get build-dep .`).
# DEB_BUILD_OPTIONS=nocheck skips the unit tests, parallel=N sets the jobs
# (default 2).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
source_dir=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
work=$out/src
rm -rf "$work"
mkdir -p "$work/ctapp"
trap 'rm -rf "$work"' EXIT
if git -C "$source_dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$source_dir" ls-files -z --cached --others --exclude-standard |
    (cd "$source_dir" && xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$work/ctapp"
else
  tar -cf - -C "$source_dir" --exclude='./build*' . | tar -xf - -C "$work/ctapp"
fi
case " ${DEB_BUILD_OPTIONS:-} " in
  *" parallel="*) ;;
  *) DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} parallel=2" ;;
esac
export DEB_BUILD_OPTIONS
# ccache (when meson finds it) hits across fresh directories only if the
# directory is not part of the hash (no -ffile-prefix-map with the path;
# CCACHE_BASEDIR makes the other paths relative). The binaries are the same.
export CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=1
export DEB_BUILD_MAINT_OPTIONS="${DEB_BUILD_MAINT_OPTIONS:-} reproducible=-fixfilepath"
(cd "$work/ctapp" && dpkg-buildpackage -b -us -uc >"$out/build.log" 2>&1) || {
  echo "$0: dpkg-buildpackage failed; the end of $out/build.log:" >&2
  tail -40 "$out/build.log" >&2
  exit 1
}
mv "$work"/ctapp_*.deb "$work"/ctapp_*.buildinfo "$work"/ctapp_*.changes "$out/"
ls "$out"/ctapp_*.deb
