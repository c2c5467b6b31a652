// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

struct archive;
struct archive_entry;

namespace ctapp {

// Metadata of a directory, applied after everything inside it is written
// (writing children changes a directory's mtime).
struct DirectoryMetadata {
  std::string path;
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0755;
  timespec mtime{};
  std::vector<std::pair<std::string, std::string>> xattrs;
};

// The extended attributes a tar entry carries, in order.
std::vector<std::pair<std::string, std::string>> entry_xattrs(archive_entry* entry);

// Creates what one tar entry describes at `path` (clean, relative) inside the
// rootfs `root_fd`: files, directories, symlinks, hard links (to paths inside
// the rootfs, also from earlier layers), devices and fifos, with numeric
// owner, mode (setuid/setgid/sticky included), mtime and xattrs (including
// security.capability, set after the chown that would clear it). An existing
// entry is removed first (unlink then create, never written through).
// Directories are returned for the caller to finish later.
Result<std::optional<DirectoryMetadata>> write_entry(int root_fd, const std::string& path,
                                                     archive* tar, archive_entry* entry);

// Applies what write_entry deferred; `path` relative to the rootfs.
Status finish_directory(int root_fd, const DirectoryMetadata& directory);

}  // namespace ctapp
