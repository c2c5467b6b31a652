#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every golden YAML of `ctapp kube generate` (tests/kube/cases) validates
# offline against the Kubernetes API schemas of the npm package
# kubernetes-models (installed by .ci/install-deps, no network here), and
# each broken document in tests/kube/invalid/ (a wrong type, a missing
# field, an unknown field) is rejected, so that the
# validator is shown able to fail.
# Usage: schema-test.sh SOURCE_DIR
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
here=$source_dir/tests/kube
validate() { node "$here/validate-kube.mjs" "$@"; }

test_golden_yaml_validates() {
  local files=() output
  mapfile -t files < <(find "$here/cases" -name '*.yaml' | sort)
  [ "${#files[@]}" -ge 7 ] || fail "only ${#files[@]} golden YAML files found"
  output=$(validate "${files[@]}") || fail "schema validation failed:
$output"
  assert_not_contains "$output" "FAIL" "validator output"
}

test_broken_documents_are_rejected() {
  local file output
  for file in "$here"/invalid/*.yaml; do
    if output=$(validate "$file"); then
      fail "${file##*/} was accepted: $output"
    fi
    assert_contains "$output" "FAIL" "${file##*/}"
  done
}

run_tests
