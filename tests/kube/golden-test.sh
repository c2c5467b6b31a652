#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Golden cases of `ctapp kube generate`, found by a scan of cases/:
#   NN-name.ctapp          one app; its YAML must equal NN-name.yaml and, if
#                          NN-name.stderr exists, its stderr that file
#   NN-name/               several apps (every *.ctapp in it, by name) with
#                          expected.yaml, optional expected.stderr, optional
#                          `args` (options before the files, e.g. --deployment),
#                          optional `files` (the files to give, if not all)
#                          and optional root/ (given as --root: version records)
# CTAPP_UPDATE_GOLDEN=1 rewrites the expectations instead (review the diff).
# Usage: golden-test.sh SOURCE_DIR   (with $CTAPP)
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
: "${CTAPP:?set CTAPP to the ctapp binary}"
cases=$source_dir/tests/kube/cases
scratch=$(mktemp -d /tmp/ctapp-kube-golden.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
unset CTAPP_ROOT CTAPP_CONFIG_PATH JOURNAL_STREAM
mkdir -p "$scratch/empty-root"

# check_case NAME ROOT EXPECTED_YAML EXPECTED_STDERR [ARGS...] FILES...
check_case() {
  local name=$1 root=$2 yaml=$3 stderr=$4
  shift 4
  local status=0
  (cd "$cases" && "$CTAPP" --root "$root" kube generate "$@") > "$scratch/out" 2> "$scratch/err" || status=$?
  if [ "$status" != 0 ]; then
    fail "exit status $status; stderr: $(cat "$scratch/err")"
    return
  fi
  if [ "${CTAPP_UPDATE_GOLDEN:-}" = 1 ]; then
    cp "$scratch/out" "$yaml"
    if [ -s "$scratch/err" ]; then cp "$scratch/err" "$stderr"; else rm -f "$stderr"; fi
    return
  fi
  diff -u "$yaml" "$scratch/out" > "$scratch/diff" || fail "YAML differs from ${yaml#"$cases"/}:
$(cat "$scratch/diff")"
  if [ -f "$stderr" ]; then
    diff -u "$stderr" "$scratch/err" > "$scratch/diff" || fail "stderr differs from ${stderr#"$cases"/}:
$(cat "$scratch/diff")"
  elif [ -s "$scratch/err" ]; then
    fail "unexpected stderr (add ${stderr#"$cases"/}): $(cat "$scratch/err")"
  fi
}

# By NAME: the app is found in the config directories under --root, and
# the YAML is the same as for its file.
test_name_is_found_under_root() {
  mkdir -p "$scratch/by-name/etc/containers.d"
  cp "$cases/06-deployment/web.ctapp" "$scratch/by-name/etc/containers.d/web.ctapp"
  "$CTAPP" --root "$scratch/by-name" kube generate web > "$scratch/by-name.yaml" 2>&1 ||
    fail "kube generate web: $(cat "$scratch/by-name.yaml")"
  (cd "$cases/06-deployment" && "$CTAPP" --root "$scratch/empty-root" kube generate web.ctapp) > "$scratch/by-file.yaml"
  diff -u "$scratch/by-file.yaml" "$scratch/by-name.yaml" > "$scratch/diff" || fail "by name and by file differ:
$(cat "$scratch/diff")"
}

test_usage_and_missing_app_fail_with_a_message() {
  local out status
  out=$("$CTAPP" kube 2>&1); status=$?
  assert_eq 2 "$status" "'ctapp kube' exit status"
  assert_contains "$out" "Usage: ctapp kube generate [--deployment] NAME...|FILE.ctapp..." "'ctapp kube'"
  out=$("$CTAPP" kube generate --replicas=2 web 2>&1); status=$?
  assert_eq 2 "$status" "unknown option exit status"
  assert_contains "$out" "unknown option '--replicas=2'" "unknown option"
  out=$("$CTAPP" --root "$scratch/empty-root" kube generate nosuch 2>&1); status=$?
  assert_eq 1 "$status" "missing app exit status"
  assert_contains "$out" "no app 'nosuch': there is no nosuch.ctapp in $scratch/empty-root/etc/containers.d" "missing app"
}

for case_path in "$cases"/*; do
  name=${case_path##*/}
  if [ -d "$case_path" ]; then
    root=$scratch/empty-root
    [ -d "$case_path/root" ] && root=$case_path/root
    args=()
    # shellcheck disable=SC2207
    [ -f "$case_path/args" ] && args=($(cat "$case_path/args"))
    files=()
    if [ -f "$case_path/files" ]; then
      while read -r file; do files+=("$name/$file"); done < "$case_path/files"
    else
      for file in "$case_path"/*.ctapp; do files+=("$name/${file##*/}"); done
    fi
    eval "test_$(tr -c 'a-zA-Z0-9\n' _ <<<"$name")() { check_case '$name' '$root' '$case_path/expected.yaml' '$case_path/expected.stderr' ${args[*]} ${files[*]}; }"
  elif [[ $name == *.ctapp ]]; then
    base=${name%.ctapp}
    eval "test_$(tr -c 'a-zA-Z0-9\n' _ <<<"$base")() { check_case '$base' '$scratch/empty-root' '$cases/$base.yaml' '$cases/$base.stderr' '$name'; }"
  fi
done
run_tests
