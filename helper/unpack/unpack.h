// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "unpack/id_shift.h"

namespace ctapp {

// One layer as the image manifest and config describe it.
struct LayerBlob {
  std::filesystem::path blob;  // the (compressed) blob file
  std::string media_type;
  std::string digest;          // sha256 of the blob
  std::string diff_id;         // sha256 of the uncompressed tar (image config rootfs.diff_ids)
  int64_t size = -1;           // the descriptor's size of the blob; -1: unknown
};

// Bounds on the work one image may cause (a decompression bomb, a tar of
// millions of empty files). The defaults are far above real images (a
// Debian root is ~1 GiB and ~30,000 entries; the largest images seen in
// the wild, CUDA and ML stacks, are 20-40 GiB and below a million entries)
// and still end a bomb long before it fills a disk.
struct UnpackLimits {
  uint64_t max_bytes = uint64_t{64} << 30;  // decompressed, all layers together
  uint64_t max_entries = 10'000'000;        // tar entries, all layers together
  // The defaults, or CTAPP_UNPACK_MAX_BYTES / CTAPP_UNPACK_MAX_ENTRIES when
  // set; fails naming a variable whose value is not a positive number.
  static Result<UnpackLimits> from_environment();
};

// What an unpack left out on purpose, for the caller to report.
struct UnpackReport {
  // xattr name -> how many entries carried it (see unpack/xattr_policy.h).
  std::map<std::string, uint64_t> dropped_xattrs;
};

// Applies `layers` in order into a new directory `target` (which must not
// exist): unpacked into a temporary directory beside it and renamed into
// place only when every layer applied and every digest and diff_id matched,
// so an interrupted unpack leaves no `target` at all. Whiteouts and opaque
// directories follow the OCI image spec. An entry that would reach outside
// the rootfs fails the unpack with a message naming the layer and the entry.
// With `shift`, ownership (and ids in ACL and capability xattrs) is moved
// into an app's host id range for its user namespace. Extended attributes
// an image may not set are dropped and counted in the report. Beyond
// `limits` (from the environment when not given), or with a descriptor size
// beyond them, the unpack fails naming the layer. Nothing is synced to disk:
// the caller makes the tree durable before anything names it (one syncfs()
// costs less than an fsync() of every file).
Result<UnpackReport> unpack_rootfs(const std::vector<LayerBlob>& layers,
                                   const std::filesystem::path& target, const IdShift& shift = {},
                                   std::optional<UnpackLimits> limits = std::nullopt);

// "dropped 2 extended attributes an image may not set: security.selinux (1),
// trusted.overlay.opaque (1)", or "" when nothing was dropped.
std::string describe_dropped_xattrs(const UnpackReport& report);

// Removes temporary directories that a killed unpack left in `dir`.
void remove_stale_unpacks(const std::filesystem::path& dir);

}  // namespace ctapp
