#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion (completion/ctapp.bash), sourced into this bash with
# bash-completion's own library, as an interactive shell loads it: each test
# sets COMP_WORDS for a command line, calls the completion function and
# checks COMPREPLY. Commands and options come from the real ctapp's --help,
# app names from a scratch root, image names from its store (an image built
# offline and imported from an oci: layout).
# Usage: completion-test.sh SOURCE_DIR   (with $CTAPP: the ctapp to complete)
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
: "${CTAPP:?set CTAPP to the ctapp binary}"

scratch=$(mktemp -d /tmp/ctapp-completion.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
ROOT=$scratch/root
require mkdir -p "$ROOT/etc/containers.d" "$ROOT/run/containers.d" "$ROOT/usr/lib/containers.d" "$scratch/cwd"
for app in web worker; do
  printf '[image]\nref = "oci:/srv/images:box"\n' > "$ROOT/etc/containers.d/$app.ctapp"
done
printf '[image]\nref = "oci:/srv/images:box"\n' > "$ROOT/run/containers.d/cache.ctapp"
printf '[image]\nref = "oci:/srv/images:box"\n' > "$ROOT/usr/lib/containers.d/vendor.ctapp"
touch "$ROOT/etc/containers.d/notes.txt"
require "$source_dir/tests/images/make-busybox-image.sh" "$scratch/layout" box sh >/dev/null
require "$CTAPP" --root "$ROOT" pull "oci:$scratch/layout:box" >/dev/null
image=$("$CTAPP" --root "$ROOT" images | awk 'NR == 2 { print $1 }')
[ -n "$image" ] || fail "'ctapp images' lists no image after the pull"

require [ -f /usr/share/bash-completion/bash_completion ]
. /usr/share/bash-completion/bash_completion
. "$source_dir/completion/ctapp.bash"
unset CTAPP_ROOT CTAPP_CONFIG_PATH
export LC_ALL=C

# completions LINE: COMPREPLY, sorted, one line, for the cursor at the end of
# LINE (a trailing space starts a new, empty word); the first word is
# replaced by the ctapp under test.
completions() {
  local line=$1
  # shellcheck disable=SC2206
  COMP_WORDS=($line)
  [[ $line == *" " ]] && COMP_WORDS+=("")
  COMP_WORDS[0]=$CTAPP
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="$CTAPP ${line#* }"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _ctapp
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

test_commands_come_from_the_help() {
  local got
  got=$(completions "ctapp ")
  for command in prepare run cleanup exec reload pull images list ps status check update rollback gc preload kube; do
    assert_contains " $got " " $command " "'ctapp <TAB>'"
  done
  assert_eq "preload prepare ps pull" "$(completions "ctapp p")" "'ctapp p<TAB>'"
  assert_eq "preload prepare ps pull" "$(completions "ctapp --root $ROOT p")" "'ctapp --root DIR p<TAB>'"
}

test_global_options() {
  assert_eq "--help --root --version" "$(completions "ctapp --")" "'ctapp --<TAB>'"
  assert_eq "$scratch/root" "$(completions "ctapp --root $scratch/ro")" "'ctapp --root DI<TAB>'"
}

test_options_per_command() {
  assert_eq "--help --platform= --tls-verify=" "$(completions "ctapp pull --")" "'ctapp pull --<TAB>'"
  assert_eq "--help -e -u -w" "$(completions "ctapp exec -")" "'ctapp exec -<TAB>'"
  assert_eq "--check --help --json" "$(completions "ctapp list -")" "'ctapp list -<TAB>'"
  assert_eq "--foreground --help" "$(completions "ctapp run -")" "'ctapp run -<TAB>'"
  assert_eq "false" "$(completions "ctapp pull --tls-verify=")" "'ctapp pull --tls-verify=<TAB>'"
}

test_app_names_from_the_config_dirs_under_root() {
  assert_eq "cache vendor web worker" "$(completions "ctapp --root $ROOT status ")" "'ctapp --root DIR status <TAB>'"
  assert_eq "web worker" "$(completions "ctapp --root=$ROOT prepare w")" "'ctapp --root=DIR prepare w<TAB>'"
  assert_eq "cache vendor web worker" "$(CTAPP_ROOT=$ROOT completions "ctapp cleanup ")" "CTAPP_ROOT, 'ctapp cleanup <TAB>'"
  # after the app, exec takes a command, not another app
  assert_eq "web worker" "$(completions "ctapp --root $ROOT exec -u nobody w")" "'ctapp exec -u USER w<TAB>'"
  assert_eq "" "$(completions "ctapp --root $ROOT exec web ")" "'ctapp exec NAME <TAB>'"
  assert_eq "web worker" "$(completions "ctapp --root $ROOT run --foreground w")" "'ctapp run --foreground w<TAB>'"
}

test_app_names_from_ctapp_config_path() {
  assert_eq "cache" "$(CTAPP_CONFIG_PATH=$ROOT/run/containers.d completions "ctapp --root $ROOT status ")" \
    "CTAPP_CONFIG_PATH replaces the directories"
}

test_image_references_from_the_store() {
  assert_eq "$image" "$(completions "ctapp --root $ROOT pull ")" "'ctapp pull <TAB>'"
  # the part after the last ':' (bash splits words at ':')
  local partial=${image%%:*}:
  assert_eq "${image#"$partial"}" "$(completions "ctapp --root $ROOT pull $partial")" \
    "'ctapp pull PREFIX:<TAB>'"
}

test_ctapp_files_for_check() {
  cd "$ROOT/etc/containers.d" || return
  assert_eq "web.ctapp worker.ctapp" "$(completions "ctapp check w")" "'ctapp check w<TAB>'"
  assert_eq "web.ctapp worker.ctapp" "$(completions "ctapp check web.ctapp w")" "'ctapp check FILE w<TAB>'"
  assert_eq "" "$(completions "ctapp check no")" "'ctapp check no<TAB>' (notes.txt is no .ctapp)"
  cd - >/dev/null || return
}

test_kube_generate_then_options_then_apps_or_files() {
  assert_eq "generate" "$(completions "ctapp kube ")" "'ctapp kube <TAB>'"
  assert_eq "--deployment --help" "$(completions "ctapp kube generate -")" "'ctapp kube generate -<TAB>'"
  assert_contains "$(completions "ctapp --root $ROOT kube generate --deployment w")" "web worker" \
    "'ctapp --root DIR kube generate --deployment w<TAB>'"
}

run_tests
