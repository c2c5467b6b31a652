#!/bin/bash
# ctapp-generator(8) as a program: the --dry-run output format, and the
# documented exit statuses: 0 with a bad file beside good ones, 1 when the
# output directory cannot be written (a file, a read-only mount), 2 on wrong
# usage. Run as root (the read-only case bind-mounts in a private mount
# namespace). Usage (meson sets CTAPP_GENERATOR): generator-cli-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
ROOT=$(mktemp -d /tmp/ctapp-generator-cli.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
config=$ROOT/etc/containers.d
require mkdir -p "$config"
printf 'image = "busybox"\n[service]\nwanted_by = ["multi-user.target"]\n' > "$config/good.ctapp"
printf 'image = "busybox"\n[run]\ncommand = ["true"]\n' > "$config/other.ctapp"
printf 'image = "busybox"\n[run]\ncomand = ["true"]\n' > "$config/bad.ctapp"
export CTAPP_CONFIG_PATH=$config CTAPP_ROOT=$ROOT/root

# generate ARGS...: stdout in $out, stderr in $err, status in $status.
generate() {
  out=$("$CTAPP_GENERATOR" "$@" 2> "$ROOT/stderr")
  status=$?
  err=$(cat "$ROOT/stderr")
}

test_dry_run_prints_each_file_framed_as_it_would_be_written() {
  local written=$ROOT/written
  mkdir -p "$written"
  generate "$written" "$written" "$written"
  assert_eq 0 "$status" "the real run"
  cd "$ROOT" || return
  generate --dry-run
  cd - >/dev/null || return
  assert_eq 0 "$status" "--dry-run exits 0 with a bad file beside good ones"
  assert_contains "$err" "bad.ctapp:3:1: unknown key 'comand'" "errors go to stderr"
  assert_not_contains "$out" "comand" "and not to stdout"
  assert_eq "" "$(ls "$ROOT" | grep -v -e '^etc$' -e '^written$' -e '^stderr$')" "--dry-run writes nothing"
  # Every frame is a file (or link) the real run wrote, with the same text;
  # every file the real run wrote has a frame.
  printf '%s\n' "$out" > "$ROOT/dry-run.txt"
  local result
  result=$(/usr/bin/python3 - "$ROOT/dry-run.txt" "$written" 2>&1 <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
root = sys.argv[2]
frames = re.split(r"^---(.+)---\n", text, flags=re.M)
if frames[0].strip():
    sys.exit(f"text before the first frame: {frames[0]!r}")
seen = set()
for path, body in zip(frames[1::2], frames[2::2]):
    if " -> " in path:
        link, target = path.split(" -> ")
        full = os.path.join(root, link)
        if not os.path.islink(full) or os.readlink(full) != target:
            sys.exit(f"frame {path!r}: the real run has no such link")
        if body.strip():
            sys.exit(f"frame {path!r}: a link with a body")
        seen.add(link)
    else:
        real = open(os.path.join(root, path)).read()
        if body.rstrip("\n") != real.rstrip("\n"):
            sys.exit(f"frame {path!r} differs from the written file")
        seen.add(path)
written = {os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs}
if written != seen:
    sys.exit(f"written {sorted(written)} but framed {sorted(seen)}")
print(" ".join(sorted(seen)))
PY
)
  assert_eq "ctapp@good.service.d/50-ctapp.conf ctapp@other.service.d/50-ctapp.conf multi-user.target.wants/ctapp@good.service" \
    "$result" "the frames are exactly the written files"
}

test_an_output_directory_that_is_a_file_exits_1() {
  : > "$ROOT/not-a-dir"
  generate "$ROOT/not-a-dir" "$ROOT/not-a-dir" "$ROOT/not-a-dir"
  assert_eq 1 "$status" "exit status"
  assert_contains "$err" "failed to write units" "says it could not do its job"
  assert_contains "$err" "$ROOT/not-a-dir" "naming the directory"
}

test_a_read_only_output_directory_exits_1() {
  local out_dir=$ROOT/read-only
  mkdir -p "$out_dir"
  # root may write to any mode: only a read-only mount stops it.
  out=$(unshare --mount --propagation private sh -c '
    mount --bind -o ro "$1" "$1" || exit 99
    "$2" "$1" "$1" "$1"' - "$out_dir" "$CTAPP_GENERATOR" 2>&1)
  status=$?
  assert_eq 1 "$status" "exit status: $out"
  assert_contains "$out" "failed to write units" "says it could not do its job"
  assert_contains "$out" "Read-only file system" "and why"
}

test_wrong_usage_exits_2() {
  generate "$ROOT/a" "$ROOT/b"
  assert_eq 2 "$status" "two directories"
  assert_contains "$err" "usage: ctapp-generator" "says how to call it"
}

run_tests
