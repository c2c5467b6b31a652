// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ctapp {

struct WriteOptions {
  mode_t mode = 0644;
  // Fails if the target already exists (two sources of one name).
  bool exclusive = false;
  // fsync before the rename, so a crash never leaves an empty file behind.
  // Off only for files on tmpfs that do not outlive a boot, for files a
  // caller syncs with the rest of a directory before anything names it, and
  // for files made again, whole, at every start (an app's config.json).
  bool durable = true;
};

// The temporary of write_file_atomic(PATH) is named PATH + this + a random
// suffix: a process killed before the rename leaves it behind.
inline constexpr std::string_view kAtomicTempInfix = ".#tmp-";

// Writes `content` to `path` so that readers see either the old file or the
// whole new one: a temporary file in the same directory (O_CLOEXEC, `mode`
// whatever the umask), then renamed over `path`. The temporary is removed on
// any failure.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content,
                         const WriteOptions& options = {});

// Writes `content` to NAME below the directory open as DIR_FD (DIR names it
// in messages) directly: created or truncated, `mode` whatever the umask,
// O_NOFOLLOW, with no temporary file and no rename. Only for output that
// nothing reads before the writer exits (ctapp-generator(8)).
Status write_file_in_place(int dir_fd, const std::filesystem::path& dir, std::string_view name,
                           std::string_view content, mode_t mode = 0644);

// write_file_atomic, unless `path` already is a regular file (not a link)
// with exactly `content`, `options.mode` and this process's owner: then it
// is left alone (no rewrite, no fsync, mtime and inode kept). Returns
// whether it wrote; fails as write_file_atomic does.
Result<bool> write_file_if_changed(const std::filesystem::path& path, std::string_view content,
                                   const WriteOptions& options = {});

// Reads a whole regular file of at most max_size bytes; fails naming the path
// for anything else (a FIFO, a device, a directory) without blocking.
Result<std::string> read_file(const std::filesystem::path& path, size_t max_size = 64 << 20);

// The names in a directory, without "." and ".."; unsorted. Unlike
// std::filesystem::directory_iterator it never throws.
Result<std::vector<std::string>> list_directory(const std::filesystem::path& dir);

}  // namespace ctapp
