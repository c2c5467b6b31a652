// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/directory_listing.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <memory>

namespace ctapp {

Result<std::vector<DirectoryEntry>> list_directory(const std::filesystem::path& dir) {
  std::vector<DirectoryEntry> entries;
  std::unique_ptr<DIR, int (*)(DIR*)> listing(::opendir(dir.c_str()), ::closedir);
  if (!listing) {
    if (errno == ENOENT) return entries;
    return fail("open '{}': {}", dir.string(), errno_text(errno));
  }
  while (true) {
    errno = 0;
    dirent* entry = ::readdir(listing.get());
    if (!entry) {
      if (errno != 0) return fail("read '{}': {}", dir.string(), errno_text(errno));
      break;
    }
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    unsigned char type = entry->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (::fstatat(::dirfd(listing.get()), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
    }
    entries.push_back({std::move(name), type});
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return entries;
}

}  // namespace ctapp
