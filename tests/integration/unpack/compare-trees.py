#!/usr/bin/python3
"""Compares two root filesystems entry by entry: names, types, modes,
owners, sizes, link targets, device numbers, xattrs, file contents and
hard-link structure. Prints each difference; exits 1 if there is any.

Usage: compare-trees.py EXPECTED_ROOT ACTUAL_ROOT
"""
import hashlib
import os
import stat
import sys


def describe(root):
    entries = {}
    inodes = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            entry = {
                "type": stat.S_IFMT(st.st_mode),
                "mode": oct(stat.S_IMODE(st.st_mode)),
                "owner": (st.st_uid, st.st_gid),
                "xattrs": {k: os.getxattr(path, k, follow_symlinks=False)
                           for k in sorted(os.listxattr(path, follow_symlinks=False))},
            }
            if stat.S_ISLNK(st.st_mode):
                entry["target"] = os.readlink(path)
            elif stat.S_ISREG(st.st_mode):
                entry["size"] = st.st_size
                with open(path, "rb") as f:
                    entry["sha256"] = hashlib.sha256(f.read()).hexdigest()
                inodes.setdefault(st.st_ino, []).append(rel)
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                entry["rdev"] = (os.major(st.st_rdev), os.minor(st.st_rdev))
            entries[rel] = entry
    links = sorted(sorted(group) for group in inodes.values() if len(group) > 1)
    return entries, links


def main():
    expected, expected_links = describe(sys.argv[1])
    actual, actual_links = describe(sys.argv[2])
    differences = 0
    for rel in sorted(set(expected) | set(actual)):
        if rel not in actual:
            print(f"missing: {rel}")
        elif rel not in expected:
            print(f"extra: {rel}")
        elif expected[rel] != actual[rel]:
            print(f"differs: {rel}: expected {expected[rel]}, got {actual[rel]}")
        else:
            continue
        differences += 1
    if expected_links != actual_links:
        print(f"hard links differ: expected {expected_links}, got {actual_links}")
        differences += 1
    print(f"{len(expected)} entries compared, {differences} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
