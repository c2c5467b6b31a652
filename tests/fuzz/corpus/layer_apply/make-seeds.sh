#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Writes the seed layers of the layer_apply fuzz target beside this script:
# small tars with files, directories, symlinks, hard links, whiteouts, an
# opaque marker, pax xattrs and a device. The first byte of each seed is the
# target's mode (bit 0: gzip the rest, bit 1: apply it twice).
set -eu
cd "$(dirname "$0")"
python3 - <<'PY'
import gzip, io, tarfile

def entry(tar, name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644, xattrs=None):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.mtime = 1700000000
    info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    if kind == tarfile.CHRTYPE:
        info.devmajor, info.devminor = 1, 3
    if xattrs:
        info.pax_headers = {"SCHILY.xattr." + k: v for k, v in xattrs.items()}
    tar.addfile(info, io.BytesIO(data) if info.size else None)

def seed(name, mode, build, compress=None):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        build(tar)
    data = buffer.getvalue()
    if compress:
        data = compress(data)
    with open(name, "wb") as out:
        out.write(bytes([mode]) + data)

def files(tar):
    entry(tar, "etc/", tarfile.DIRTYPE, mode=0o755)
    entry(tar, "etc/hostname", data=b"box\n")
    entry(tar, "bin/", tarfile.DIRTYPE, mode=0o755)
    entry(tar, "bin/busybox", data=b"\x7fELF", mode=0o4755)
    entry(tar, "bin/sh", tarfile.LNKTYPE, link="bin/busybox")
    entry(tar, "lib", tarfile.SYMTYPE, link="usr/lib")
    entry(tar, "abs", tarfile.SYMTYPE, link="/etc")

def whiteouts(tar):
    files(tar)
    entry(tar, "etc/.wh.hostname")
    entry(tar, "bin/.wh..wh..opq")
    entry(tar, "bin/new", data=b"new")
    entry(tar, ".wh.lib")

def links(tar):
    entry(tar, "up", tarfile.SYMTYPE, link="../../..")
    entry(tar, "up/escape", data=b"x")
    entry(tar, "hard", tarfile.LNKTYPE, link="../sentinel")
    entry(tar, "abs", tarfile.SYMTYPE, link="/")
    entry(tar, "abs/inside", data=b"y")

def attributes(tar):
    entry(tar, "ping", data=b"elf", mode=0o755,
          xattrs={"security.capability": "\x01\x00\x00\x02\x00\x20\x00\x00" + "\x00" * 12,
                  "trusted.overlay.opaque": "y", "user.note": "kept"})
    entry(tar, "dev/", tarfile.DIRTYPE)
    entry(tar, "dev/null", tarfile.CHRTYPE, mode=0o666)
    entry(tar, "fifo", tarfile.FIFOTYPE)

def hostile_names(tar):
    entry(tar, "d/", tarfile.DIRTYPE)
    entry(tar, "d/.wh...")
    entry(tar, ".wh..")

seed("files.tar", 0, files)
# gzip bytes as the fuzzer's input, so that it mutates the compressed stream
seed("files-gzip-stream.tar", 0, files, lambda data: gzip.compress(data, mtime=0))
seed("files-gzip.tar", 1, files)
seed("whiteouts-twice.tar", 2, whiteouts)
seed("links.tar", 2, links)
seed("attributes.tar", 1, attributes)
seed("hostile-names.tar", 2, hostile_names)
seed("whiteout-dotdot.tar", 0, lambda tar: entry(tar, ".wh..."))
PY
