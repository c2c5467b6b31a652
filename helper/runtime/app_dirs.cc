// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/app_dirs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/unique_fd.h"
#include "runtime/app_locks.h"

namespace ctapp {
namespace {

constexpr mode_t kSharedParent = 0711;
constexpr mode_t kPrivate = 0700;

}  // namespace

Status ensure_directory(const std::filesystem::path& path, mode_t mode, uid_t uid, gid_t gid) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) return fail("create '{}': {}", path.parent_path().string(), error.message());
  // Created closed, opened before it is changed: a link or a file put in its
  // place is refused, not followed.
  if (::mkdir(path.c_str(), 0700) < 0 && errno != EEXIST)
    return fail("create '{}': {}", path.string(), errno_text(errno));
  UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid())
    return fail("open '{}': {} (it must be a directory, not a link: move it away)", path.string(),
                errno_text(errno));
  struct stat st;
  if (::fstat(dir.get(), &st) < 0) return fail("stat '{}': {}", path.string(), errno_text(errno));
  if ((st.st_uid != uid || st.st_gid != gid) && ::fchown(dir.get(), uid, gid) < 0)
    return fail("chown '{}' to {}:{}: {}", path.string(), uid, gid, errno_text(errno));
  if ((st.st_mode & 07777) != mode && ::fchmod(dir.get(), mode) < 0)
    return fail("chmod '{}' to {:04o}: {}", path.string(), mode, errno_text(errno));
  return {};
}

Status ensure_shared_dirs(const Paths& paths) {
  const std::filesystem::path var_lib_ctapp = paths.under_root("/var/lib/ctapp");
  const std::pair<std::filesystem::path, mode_t> dirs[] = {
      {paths.bundles_dir(), kSharedParent},
      {var_lib_ctapp, kSharedParent},
      {paths.apps_dir(), kSharedParent},
      {paths.versions_dir(), kPrivate},
      {paths.image_store(), kPrivate},
      {paths.runtime_dir(), kSharedParent},
      {app_locks_dir(paths), kPrivate},
      {paths.runtime_dir() / "runc", kPrivate},
  };
  for (const auto& [dir, mode] : dirs)
    if (auto made = ensure_directory(dir, mode); !made) return made;
  return {};
}

Status ensure_app_dirs(const Paths& paths, const AppLayout& layout, uid_t root_id) {
  if (auto shared = ensure_shared_dirs(paths); !shared) return shared;
  // An image app's bundle is its version directory, made whole elsewhere
  // (cli/version_dirs.h); its path is empty here.
  for (const auto* dir : {&layout.bundle, &layout.data, &layout.runtime})
    if (dir->empty()) continue;
    else if (auto made = ensure_directory(*dir, kPrivate, root_id, root_id); !made) return made;
  // The container's users reach the socket in it through a bind mount.
  return ensure_directory(layout.notify_dir, kSharedParent, root_id, root_id);
}

}  // namespace ctapp
