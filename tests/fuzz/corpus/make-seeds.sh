#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Writes the seed corpora of image_json, www_authenticate and registries_conf
# (small hand-written inputs; run from anywhere, rewrites the files).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
d=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
j=$here/image_json
mkdir -p "$j"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":7},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":100}]}' "$d" "$d" > "$j/manifest.json"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":7,"platform":{"os":"unknown","architecture":"unknown"}},{"digest":"%s","size":7,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},{"digest":"%s","size":7,"platform":{"os":"linux","architecture":"amd64"}}]}' "$d" "$d" "$d" > "$j/index.json"
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"],"Labels":null},"rootfs":{"type":"layers","diff_ids":["%s"]}}' "$d" > "$j/config.json"
printf '{"mediaType":5,"config":{"digest":"%s","size":-1},"layers":[]}' "$d" > "$j/wrong-types.json"
printf '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' > "$j/deep.json"
w=$here/www_authenticate
mkdir -p "$w"
printf 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"' > "$w/docker-hub"
printf 'Basic realm="test"' > "$w/basic"
printf 'Bearer scope=repository:a/b:pull,push, realm="http://127.0.0.1:5000/t\\"oken" ,service=x, Basic realm=y' > "$w/mixed"
r=$here/registries_conf
mkdir -p "$r"
printf 'unqualified-search-registries = ["registry.example", "docker.io"]\n\n[[registry]]\nlocation = "127.0.0.1:5000"\ninsecure = true\n' > "$r/search"
printf '[aliases]\n"box" = "registry.example/test/box"\n\n[[registry]]\nprefix = "registry.example"\nlocation = "127.0.0.9:1"\n[[registry.mirror]]\nlocation = "127.0.0.1:5000"\ninsecure = true\n' > "$r/mirror"
printf '[[registry]]\nlocation = 5\n[aliases]\nx = [1]\n' > "$r/wrong-types"
# Inputs the fuzzer found (each was a pull source with an empty host).
printf '[[registry]]\nprefix = "registry.example"\nlocation = "127.0.0.9:1"\n[[registry.mirror]]\nlocction = "127.0.0.1:5000"\n' > "$r/mirror-without-location"
printf 'unqualified-search-registries = ["registry.example", ""]\n' > "$r/empty-search"
printf '[aliases]\n"box" = "oci:/box"\n' > "$r/alias-to-layout"
printf '[[registry]]\nlocation = "localhost/x"\n[[registry.mirror]]\nlocation = "127.0.0.1:5000"\n' > "$r/mirror-without-repository"
# toml++ 3.3 asserted on it (a table header starting with no key character).
printf '[[/egistry.mirror]]\nlocation = "127.0.0.1:5000"\n' > "$r/header-without-key"
