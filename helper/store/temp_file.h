// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/unique_fd.h"

namespace ctapp {

// A temporary file in the store's temp dir with an owner: created under a
// unique name (mkstemp: O_EXCL), flock'ed while this object lives so that
// sweep_stale_temp_files() in another process leaves it alone, and removed
// when the object goes away unless it was kept (moved into blobs/).
class TempFile {
 public:
  // Creates DIR/PREFIX-XXXXXX, mode 0600. Fails naming the directory.
  static Result<TempFile> create(const std::filesystem::path& dir, std::string_view prefix);
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&& other) noexcept;
  ~TempFile();

  int fd() const { return fd_.get(); }
  const std::filesystem::path& path() const { return path_; }
  // The file was renamed into place: it is no longer ours to remove.
  void keep() { path_.clear(); }

 private:
  TempFile() = default;
  void remove();
  UniqueFd fd_;
  std::filesystem::path path_;
};

// The same for a temporary directory (an extracted oci-archive): DIR/
// PREFIX-XXXXXX, 0700, flock'ed while this object lives, removed with its
// contents when it goes away.
class TempDir {
 public:
  static Result<TempDir> create(const std::filesystem::path& dir, std::string_view prefix);
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();

  int fd() const { return fd_.get(); }
  const std::filesystem::path& path() const { return path_; }
  // The directory was renamed into place: it is no longer ours to remove.
  void keep() { path_.clear(); }

 private:
  TempDir() = default;
  UniqueFd fd_;
  std::filesystem::path path_;
};

// Removes the files and directories in `dir` whose names start with one of
// `prefixes` and a '-' and that no live process holds (their owner died:
// killed, crashed, power loss). Cheap when there is nothing to do.
Status sweep_stale_temp_files(const std::filesystem::path& dir, const std::vector<std::string_view>& prefixes);

}  // namespace ctapp
