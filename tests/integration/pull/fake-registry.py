#!/usr/bin/python3
"""A small registry for fault injection only (the real tests use Debian's
docker-registry): serves one image from an OCI layout and misbehaves on
purpose. Listens on 127.0.0.1 (and, for redirects, on a second address of
the loopback range); prints "PORT" on stdout once it listens.

Usage: fake-registry.py LAYOUT TAG MODE [--cdn-host 127.0.0.2]
MODE: bearer | redirect | 429 | 500 | truncate | wrong-digest | stall
  bearer        /v2/ and everything else wants a Bearer token from /token
                (service and scope are checked)
  redirect      bearer, and blobs answer 307 to the CDN host, which must not
                receive an Authorization header (it answers 400 if it does)
  429           the first request of each blob gets 429 with Retry-After: 1
  500           the first request of each blob gets 500
  truncate      the first transfer of each blob is cut in half; a Range
                request gets the rest (206), a second full request 500
  wrong-digest  blobs have one byte flipped
  stall         blobs send half their bytes, then nothing
  slow          blobs trickle in 16 pieces over about 8 seconds
  hostile       serves, besides TAG, documents built to break a client:
                  wrong-type    a manifest whose mediaType is the number 5
                  bad-os        an index whose platform has "os": 1
                  content-type  a manifest without mediaType, served with a
                                Content-Type that holds a non-UTF-8 byte
                  deep          an index whose platform is '[' nested a
                                million levels deep
                  chain         20,000 indexes, each pointing to the next
                  dup           a manifest listing the same layer twice
  tamper        a manifest asked for by digest comes back with other bytes
  foreign-realm like bearer, but the token service is plain HTTP on the
                CDN host (another host)
"""
import hashlib
import http.server
import json
import os
import socketserver
import sys
import threading
import time
import urllib.parse

layout, tag, mode = sys.argv[1], sys.argv[2], sys.argv[3]
cdn_host = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--cdn-host" else "127.0.0.2"
TOKEN = "s3cret-token"
seen = {}
lock = threading.Lock()
log = []


def first_time(key):
    with lock:
        count = seen.get(key, 0)
        seen[key] = count + 1
        return count == 0


extra_manifests = {}   # tag -> (bytes, content type)
extra_blobs = {}       # digest -> bytes


def add_blob(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    extra_blobs[digest] = data
    return digest


def build_hostile_documents():
    entry = manifest_for(tag)
    manifest = json.loads(blob(entry["digest"]))
    oci_manifest = "application/vnd.oci.image.manifest.v1+json"
    oci_index = "application/vnd.oci.image.index.v1+json"
    extra_manifests["wrong-type"] = (json.dumps({**manifest, "mediaType": 5}).encode(), oci_manifest)
    bad_os = {"schemaVersion": 2, "mediaType": oci_index,
              "manifests": [{"mediaType": oci_manifest, "digest": entry["digest"], "size": entry["size"],
                             "platform": {"os": 1, "architecture": "amd64"}}]}
    extra_manifests["bad-os"] = (json.dumps(bad_os).encode(), oci_index)
    untyped = {k: v for k, v in manifest.items() if k != "mediaType"}
    extra_manifests["content-type"] = (json.dumps(untyped).encode(), "application/\xff")
    deep = {"schemaVersion": 2, "mediaType": oci_index,
            "manifests": [{"mediaType": oci_manifest, "digest": entry["digest"], "size": entry["size"],
                           "platform": "PLATFORM"}]}
    extra_manifests["deep"] = (json.dumps(deep).encode().replace(b'"PLATFORM"', b"[" * 1000000 + b"]" * 1000000),
                               oci_index)
    data = blob(entry["digest"])
    media_type = oci_manifest
    for _ in range(20000):
        index = {"schemaVersion": 2, "mediaType": oci_index,
                 "manifests": [{"mediaType": media_type, "digest": add_blob(data), "size": len(data),
                                "platform": {"os": "linux", "architecture": "amd64"}}]}
        data, media_type = json.dumps(index).encode(), oci_index
    extra_manifests["chain"] = (data, oci_index)
    config = json.loads(blob(manifest["config"]["digest"]))
    config["rootfs"]["diff_ids"] = config["rootfs"]["diff_ids"] * 2
    config_data = json.dumps(config).encode()
    dup = {**manifest, "config": {**manifest["config"], "digest": add_blob(config_data), "size": len(config_data)},
           "layers": manifest["layers"] * 2}
    extra_manifests["dup"] = (json.dumps(dup).encode(), oci_manifest)


def manifest_for(reference):
    index = json.load(open(os.path.join(layout, "index.json")))
    for entry in index["manifests"]:
        name = entry.get("annotations", {}).get("org.opencontainers.image.ref.name")
        if reference in (name, entry["digest"]):
            return entry
    return None


def blob(digest):
    if digest in extra_blobs:
        return extra_blobs[digest]
    with open(os.path.join(layout, "blobs", "sha256", digest[7:]), "rb") as f:
        return f.read()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        if mode not in ("bearer", "redirect", "foreign-realm"):
            return True
        if self.headers.get("Authorization") == f"Bearer {TOKEN}":
            return True
        port = self.server.server_address[1]
        realm_host = cdn_host if mode == "foreign-realm" else "127.0.0.1"
        self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {
            "WWW-Authenticate": f'Bearer realm="http://{realm_host}:{port}/token",service="fake-registry",scope="repository:test/box:pull"'})
        return False

    def do_GET(self):
        path = self.path.split("?")[0]
        log.append(f"{self.headers.get('Host')} {path} auth={'Authorization' in self.headers}")
        host = self.headers.get("Host", "").split(":")[0]
        if host == cdn_host and path != "/token":
            return self.cdn(path)
        if path == "/token":
            if "Authorization" in self.headers:
                log.append("token service got credentials")
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            ok = query.get("service") == ["fake-registry"] and query.get("scope") == ["repository:test/box:pull"]
            return self.send(200 if ok else 403, json.dumps({"access_token": TOKEN}).encode())
        if path == "/log":
            return self.send(200, "\n".join(log).encode())
        if not self.authorized():
            return
        if path == "/v2/":
            return self.send(200, b"{}")
        if path.startswith("/v2/test/box/manifests/"):
            reference = path.rsplit("/", 1)[1]
            if reference in extra_manifests:
                data, content_type = extra_manifests[reference]
                return self.send(200, data, {"Content-Type": content_type})
            if reference in extra_blobs:
                return self.send(200, extra_blobs[reference], {"Content-Type": "application/vnd.oci.image.index.v1+json"})
            entry = manifest_for(reference)
            if not entry:
                return self.send(404)
            data = blob(entry["digest"])
            if mode == "tamper" and reference.startswith("sha256:"):
                data = data.replace(b"{", b"{ ", 1)
            return self.send(200, data, {"Content-Type": entry["mediaType"]})
        if path.startswith("/v2/test/box/blobs/"):
            return self.blob(path.rsplit("/", 1)[1])
        self.send(404)

    def blob(self, digest):
        data = blob(digest)
        if mode == "redirect":
            port = self.server.server_address[1]
            return self.send(307, b"", {"Location": f"http://{cdn_host}:{port}/cdn/{digest}"})
        if mode in ("429", "500") and first_time(digest):
            return self.send(int(mode), b"busy", {"Retry-After": "1"} if mode == "429" else {})
        if mode == "wrong-digest":
            data = bytes([data[0] ^ 1]) + data[1:]
        range_header = self.headers.get("Range")
        if mode == "truncate":
            if range_header:
                start = int(range_header.split("=")[1].rstrip("-"))
                return self.send(206, data[start:], {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"})
            if not first_time(digest):
                return self.send(500, b"a second full download: the client did not resume")
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == "slow":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            piece = len(data) // 16 + 1
            for start in range(0, len(data), piece):
                self.wfile.write(data[start:start + piece])
                self.wfile.flush()
                time.sleep(0.5)
            return
        if mode == "stall":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            time.sleep(60)
            return
        self.send(200, data)

    def cdn(self, path):
        if "Authorization" in self.headers:
            return self.send(400, b"the CDN got the registry's Authorization header")
        self.send(200, blob(path.rsplit("/", 1)[1]))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if mode == "hostile":
    build_hostile_documents()

# One port on two loopback addresses: 127.0.0.1 is the registry, the CDN
# host another host.
main = Server(("127.0.0.1", 0), Handler)
port = main.server_address[1]
cdn = Server((cdn_host, port), Handler)
threading.Thread(target=cdn.serve_forever, daemon=True).start()
print(port, flush=True)
main.serve_forever()
