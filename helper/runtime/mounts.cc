// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/mounts.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

namespace ctapp {
namespace {

constexpr int kMaxStackedMounts = 64;

// overlayfs splits its options at ',' and lowerdir at ':'; reject instead of
// escaping, our own paths never contain them.
Status check_overlay_path(const std::filesystem::path& path) {
  if (path.string().find_first_of(",:\\") != std::string::npos)
    return fail("'{}' cannot be used with overlayfs: it contains ',', ':' or '\\'", path.string());
  return {};
}

// overlayfs refuses an upper layer on overlayfs (EINVAL, with the reason
// only in the kernel log): the case of `ctapp --root DIR prepare` into an
// image builder's root, which is what preload is for.
bool on_overlayfs(const std::filesystem::path& path) {
  struct statfs st {};
  return ::statfs(path.c_str(), &st) == 0 && st.f_type == OVERLAYFS_SUPER_MAGIC;
}

}  // namespace

Status mount_overlay(const OverlayLayers& layers, uint32_t root_id) {
  for (const auto* dir : {&layers.upper, &layers.work, &layers.merged}) {
    std::error_code error;
    std::filesystem::create_directories(*dir, error);
    if (error) return fail("create '{}': {}", dir->string(), error.message());
  }
  for (const auto* dir : {&layers.lower, &layers.upper, &layers.work})
    if (auto checked = check_overlay_path(*dir); !checked) return checked;
  if (::chown(layers.upper.c_str(), root_id, root_id) < 0)
    return fail("chown '{}': {}", layers.upper.string(), errno_text(errno));
  std::string options = fmt::format("lowerdir={},upperdir={},workdir={}", layers.lower.string(),
                                    layers.upper.string(), layers.work.string());
  if (::mount("overlay", layers.merged.c_str(), "overlay", MS_NODEV, options.c_str()) < 0) {
    int mount_errno = errno;
    if (mount_errno == EINVAL && on_overlayfs(layers.upper))
      return fail("mount overlay on '{}': its upper layer '{}' is on overlayfs, which overlayfs "
                  "cannot use: to fill an image root at build time use 'ctapp --root DIR preload', "
                  "which mounts nothing; to run apps, keep /run (and /var/lib/ctapp for "
                  "keep_changes) on another file system",
                  layers.merged.string(), layers.upper.string());
    return fail("mount overlay on '{}' ({}): {}", layers.merged.string(), options,
                errno_text(mount_errno));
  }
  return {};
}

bool is_mount_point(const std::filesystem::path& path) {
  struct statx st {};
  if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) < 0) return false;
  return (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
         (st.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

Status unmount_all(const std::filesystem::path& path) {
  for (int i = 0; i < kMaxStackedMounts && is_mount_point(path); ++i) {
    if (::umount2(path.c_str(), UMOUNT_NOFOLLOW) == 0) continue;
    if (errno == EBUSY && ::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) continue;
    if (errno == EINVAL || errno == ENOENT) return {};
    return fail("unmount '{}': {}", path.string(), errno_text(errno));
  }
  if (is_mount_point(path)) return fail("'{}' is still mounted after {} unmounts", path.string(), kMaxStackedMounts);
  return {};
}

}  // namespace ctapp
