#!/bin/bash
# Peer conformance: for each test image, the rootfs ctapp unpacks must equal
# what `umoci unpack` makes of the same image. The second image adds a layer
# that umoci itself wrote from a changed tree (whiteouts of a file and a
# directory, a hard link, symlinks, setuid, sticky and odd modes, owners, a
# fifo, a device node, xattrs incl. security.capability); it is also unpacked
# from zstd layers. The third is a whole Debian root (the valkey-like image).
# Usage (meson sets CTAPP): umoci-conformance-test.sh SOURCE_DIR
set -u
source_dir=$1
. "$source_dir/tests/integration/lib.sh"
ROOT=$(mktemp -d /tmp/ctapp-conformance.XXXXXX)
trap 'for a in box changed changed-zstd debian; do "$CTAPP" --root "$ROOT" cleanup $a >/dev/null 2>&1; done; rm -rf "$ROOT"' EXIT
layout=$ROOT/layout
require "$source_dir/tests/images/make-busybox-image.sh" "$layout" box sh >/dev/null
require "$source_dir/tests/images/make-valkey-like-image.sh" "$layout" debian >/dev/null

# The changed image, second layer written by umoci repack.
require umoci unpack --image "$layout:box" "$ROOT/edit" >/dev/null
r=$ROOT/edit/rootfs
require rm "$r/bin/ls"
require rm -r "$r/tmp"
require mkdir -p "$r/opt/app/sub" "$r/var/empty"
require sh -c 'printf "payload\n" > "$1"' - "$r/opt/app/file"
require ln "$r/opt/app/file" "$r/opt/app/hardlink"
require ln -s ../opt/app/file "$r/bin/relative-link"
require ln -s /opt/app "$r/absolute-link"
require cp /bin/busybox "$r/opt/app/suid"
require chmod 4755 "$r/opt/app/suid"
require chmod 1777 "$r/var/empty"
require chmod 0640 "$r/opt/app/file"
require chown 1234:5678 "$r/opt/app/sub"
require mkfifo "$r/opt/app/fifo"
require mknod "$r/opt/app/null" c 1 3
require /usr/bin/python3 -c "
import os
os.setxattr('$r/opt/app/file', 'user.note', b'hello')
os.setxattr('$r/opt/app/suid', 'security.capability', bytes.fromhex('0100000200040000000000000000000000000000'))
"
require umoci repack --image "$layout:changed" "$ROOT/edit" >/dev/null

# The changed image again with its layers compressed by zstd instead of gzip
# (the diff_ids, and so the config, stay the same).
require /usr/bin/python3 - "$layout" changed changed-zstd <<'PY'
import gzip, hashlib, json, os, subprocess, sys
layout, source, target = sys.argv[1:]
def blob(digest): return os.path.join(layout, "blobs", *digest.split(":"))
def store(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(blob(digest), "wb") as f: f.write(data)
    return digest
index = json.load(open(os.path.join(layout, "index.json")))
entry = next(m for m in index["manifests"]
             if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == source)
manifest = json.load(open(blob(entry["digest"])))
for layer in manifest["layers"]:
    tar = gzip.decompress(open(blob(layer["digest"]), "rb").read())
    data = subprocess.run(["zstd", "-q", "-c"], input=tar, stdout=subprocess.PIPE, check=True).stdout
    layer.update(mediaType="application/vnd.oci.image.layer.v1.tar+zstd", digest=store(data), size=len(data))
data = json.dumps(manifest).encode()
index["manifests"].append(dict(entry, digest=store(data), size=len(data),
                               annotations={"org.opencontainers.image.ref.name": target}))
json.dump(index, open(os.path.join(layout, "index.json"), "w"))
PY

mkdir -p "$ROOT/etc/containers.d"
for tag in box changed changed-zstd debian; do
  printf 'image = "oci:%s:%s"\n[run]\ncommand = ["true"]\n' "$layout" "$tag" > "$ROOT/etc/containers.d/$tag.ctapp"
done

compare_with_umoci() {  # TAG
  "$CTAPP" --root "$ROOT" prepare "$1" >/dev/null 2>&1 || { fail "ctapp prepare $1 failed"; return; }
  umoci unpack --image "$layout:$1" "$ROOT/umoci-$1" >/dev/null || { fail "umoci unpack failed"; return; }
  out=$(/usr/bin/python3 "$source_dir/tests/integration/unpack/compare-trees.py" \
        "$ROOT/umoci-$1/rootfs" "$(version_dir "$1" "$1")/rootfs")
  [ $? -eq 0 ] || fail "ctapp's rootfs differs from umoci's: $out"
  echo "    $(echo "$out" | tail -1)"
}

test_the_busybox_image_unpacks_as_with_umoci() { compare_with_umoci box; }
test_a_second_layer_with_whiteouts_links_modes_and_xattrs_unpacks_as_with_umoci() {
  compare_with_umoci changed
  [ ! -e "$(version_dir changed changed)/rootfs/bin/ls" ] || fail "the whiteout of bin/ls did not apply"
}

# ctapp loads libzstd (and zlib) only when a layer needs it: the same tree
# from zstd layers proves the forwarders in store/compression_libraries.cc.
test_zstd_layers_unpack_as_umoci_unpacks_their_gzip_twins() {
  "$CTAPP" --root "$ROOT" prepare changed-zstd >/dev/null 2>&1 || { fail "ctapp prepare changed-zstd failed"; return; }
  [ -d "$ROOT/umoci-changed/rootfs" ] ||
    require umoci unpack --image "$layout:changed" "$ROOT/umoci-changed" >/dev/null
  out=$(/usr/bin/python3 "$source_dir/tests/integration/unpack/compare-trees.py" \
        "$ROOT/umoci-changed/rootfs" "$(version_dir changed-zstd changed-zstd)/rootfs")
  [ $? -eq 0 ] || fail "ctapp's rootfs from zstd layers differs from umoci's from gzip: $out"
}

test_a_debian_root_with_redis_unpacks_as_with_umoci() { compare_with_umoci debian; }

run_tests
