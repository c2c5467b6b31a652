#!/bin/bash
# Builds a two-platform image index offline into the OCI layout LAYOUT under
# TAG: the busybox image of make-busybox-image.sh for linux/amd64 and the
# same layers labelled linux/arm64, each with /platform-marker naming its
# platform (the binaries stay amd64: the arm64 image is for choosing and
# unpacking, not for running).
# Usage: make-multi-platform-index.sh LAYOUT TAG
set -euo pipefail
layout=$1
tag=$2
here=$(dirname "$0")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$here/make-busybox-image.sh" "$layout" "$tag-base" sh >/dev/null
for arch in amd64 arm64; do
  umoci unpack --image "$layout:$tag-base" "$scratch/$arch" >/dev/null
  echo "$arch" > "$scratch/$arch/rootfs/platform-marker"
  umoci repack --image "$layout:$tag-$arch" "$scratch/$arch" >/dev/null
  umoci config --image "$layout:$tag-$arch" --architecture="$arch" --os=linux
done
python3 - "$layout" "$tag" <<'PY'
import hashlib, json, os, sys
layout, tag = sys.argv[1], sys.argv[2]
with open(os.path.join(layout, "index.json")) as f:
    index = json.load(f)
def named(name):
    for entry in index["manifests"]:
        if entry.get("annotations", {}).get("org.opencontainers.image.ref.name") == name:
            return entry
    raise SystemExit(f"no {name} in {layout}")
manifests = []
for arch in ("amd64", "arm64"):
    entry = dict(named(f"{tag}-{arch}"))
    entry.pop("annotations", None)
    entry["platform"] = {"os": "linux", "architecture": arch}
    manifests.append(entry)
# An attestation entry, as Docker Hub's indexes carry: never chosen.
manifests.append(dict(manifests[0], platform={"os": "unknown", "architecture": "unknown"}))
blob = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": manifests}).encode()
digest = hashlib.sha256(blob).hexdigest()
with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
    f.write(blob)
index["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json",
                           "digest": "sha256:" + digest, "size": len(blob),
                           "annotations": {"org.opencontainers.image.ref.name": tag}})
with open(os.path.join(layout, "index.json"), "w") as f:
    json.dump(index, f)
PY
