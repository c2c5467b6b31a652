#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Checks a built ctapp_*.deb: lintian finds no error (its warnings are
# printed), every path the package promises is in it (dpkg-deb -c) with the
# right type, and Depends names what ctapp loads and runs. Prints one line
# per problem; exit status 1 if there is any.
# Usage: packaging/check-deb.sh CTAPP_DEB
set -u
[ $# -eq 1 ] || { echo "usage: $0 CTAPP_DEB" >&2; exit 2; }
deb=$1
problems=0
problem() { echo "FAIL: $*"; problems=$((problems + 1)); }

# --fail-on error: warnings and info are shown, not fatal (the report lists
# the remaining ones and why they stay).
lintian_out=$(lintian --fail-on error --tag-display-limit 0 "$deb" 2>&1)
lintian_status=$?
[ -n "$lintian_out" ] && printf '%s\n' "$lintian_out" | sed 's/^/lintian: /'
[ "$lintian_status" -eq 0 ] || problem "lintian reports errors (status $lintian_status) for $deb"

contents=$(dpkg-deb -c "$deb") || { problem "dpkg-deb -c cannot read $deb"; exit 1; }
# has TYPE PATH: TYPE is the first letter of ls -l's mode (- file, d dir),
# x for an executable file.
has() {
  mode=$(printf '%s\n' "$contents" | awk -v path="./$2" '$6 == path || $6 == path "/" { print $1; exit }')
  case "$1:$mode" in
    -:-*|d:d*|x:-??x*) ;;
    *:) problem "$deb has no /$2" ;;
    *) problem "$deb has /$2 with mode '$mode', not of type '$1'" ;;
  esac
}
has x usr/lib/systemd/system-generators/ctapp-generator
has - usr/lib/systemd/system/ctapp@.service
has x usr/bin/ctapp
has x usr/libexec/ctapp/ctapp-supervise
has - usr/share/man/man8/ctapp.8.gz
has - usr/share/man/man8/ctapp-generator.8.gz
has - usr/share/man/man5/ctapp.ctapp.5.gz
has - usr/share/bash-completion/completions/ctapp
has - usr/share/ctapp/cni/ctapp.conflist
has d etc/containers.d
has - usr/share/doc/ctapp/copyright
has - usr/share/doc/ctapp/README.Debian
extra=$(printf '%s\n' "$contents" | awk '$6 ~ "^./etc/containers.d/." { print $6 }')
[ -z "$extra" ] || problem "/etc/containers.d must be empty in the package, has: $extra"

# What ctapp loads with dlopen (libcurl.so.4, libcrypto.so.3, libyaml-0.so.2, libzstd.so.1,
# libz.so.1) and runs
# (an OCI runtime; the seccomp profile of containers-common) is not found by dpkg-shlibdeps.
depends=$(dpkg-deb -f "$deb" Depends)
for needed in "libcurl4" "libssl3" "libyaml-0-2" "libzstd1" "zlib1g" "runc | crun" "golang-github-containers-common"; do
  case ", $depends," in *", $needed,"* | *", $needed ("*) ;; *) problem "Depends lacks '$needed': $depends" ;; esac
done
recommends=$(dpkg-deb -f "$deb" Recommends)
for wanted in containernetworking-plugins tini; do
  case ", $recommends," in *", $wanted,"*) ;; *) problem "Recommends lacks '$wanted': $recommends" ;; esac
done

[ "$problems" -eq 0 ] || exit 1
echo "ok: $(basename "$deb"): lintian has no error, the contents and dependencies are there"
