// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <filesystem>

#include "core/result.h"
#include "store/temp_file.h"

namespace ctapp {

struct ArchiveLimits {
  uint64_t max_bytes = 0;    // decompressed, headers included
  uint64_t max_entries = 0;
};

// The OCI image layout of an oci-archive: source, extracted into a private
// (0700) directory that is removed when the object goes.
//
// The archive is not a layer: no whiteouts, no links, no devices. Only
// regular files and directories are accepted, each name plain and inside
// the directory; anything else (a symlink such as index.json -> /dev/zero,
// a FIFO, a hard link, a device) fails naming the entry. So every file read
// from the extracted layout later is a regular file reached without links.
class ExtractedArchive {
 public:
  // Extracts `archive` (plain, gzip or zstd tar) below `temp_parent`. The
  // archive must be a regular file (a link to one is fine: the operator
  // names it); a device or a pipe, which would never end, is refused before
  // reading. Fails naming the archive and, where there is one, the entry;
  // leaves nothing behind on failure.
  static Result<ExtractedArchive> extract(const std::filesystem::path& archive,
                                          const std::filesystem::path& temp_parent,
                                          const ArchiveLimits& limits);
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  explicit ExtractedArchive(TempDir dir) : dir_(std::move(dir)) {}
  TempDir dir_;  // removed with the object; swept if its process died
};

}  // namespace ctapp
