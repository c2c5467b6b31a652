// SPDX-License-Identifier: LGPL-2.1-or-later
#include "unpack/entry_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include <archive.h>
#include <archive_entry.h>

#include "core/unique_fd.h"
#include "store/archive_error.h"
#include "unpack/layer_names.h"
#include "unpack/rootfs_paths.h"

namespace ctapp {
namespace {

timespec mtime_of(archive_entry* entry) {
  return {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
}

// Owner, mode, xattrs, times on an open fd, in the order that keeps each:
// chown clears setuid bits and file capabilities, so it goes first.
Status apply_metadata(int fd, uid_t uid, gid_t gid, mode_t mode,
                      const std::vector<std::pair<std::string, std::string>>& xattrs,
                      timespec mtime, const std::string& path) {
  if (::fchown(fd, uid, gid) < 0) return fail("chown '{}': {}", path, errno_text(errno));
  if (::fchmod(fd, mode & 07777) < 0) return fail("chmod '{}': {}", path, errno_text(errno));
  for (const auto& [name, value] : xattrs)
    if (::fsetxattr(fd, name.c_str(), value.data(), value.size(), 0) < 0)
      return fail("set xattr '{}' on '{}': {}", name, path, errno_text(errno));
  timespec times[2] = {mtime, mtime};
  if (::futimens(fd, times) < 0) return fail("set times of '{}': {}", path, errno_text(errno));
  return {};
}

Status write_file_data(int fd, archive* tar, const std::string& path) {
  const void* block;
  size_t size;
  la_int64_t offset;
  la_int64_t end = 0;
  int status;
  while ((status = archive_read_data_block(tar, &block, &size, &offset)) == ARCHIVE_OK) {
    const char* data = static_cast<const char*>(block);
    size_t written = 0;
    while (written < size) {
      ssize_t n = ::pwrite(fd, data + written, size - written, offset + static_cast<off_t>(written));
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail("write '{}': {}", path, errno_text(errno));
      }
      written += static_cast<size_t>(n);
    }
    end = offset + static_cast<la_int64_t>(size);
  }
  if (status != ARCHIVE_EOF) return fail("read data of '{}': {}", path, archive_error(tar));
  // A sparse file may end in a hole.
  if (::ftruncate(fd, std::max<off_t>(end, 0)) < 0 && end > 0)
    return fail("truncate '{}': {}", path, errno_text(errno));
  return {};
}

Status write_regular(const ParentDir& parent, const std::string& path, archive* tar,
                     archive_entry* entry) {
  UniqueFd fd(::openat(parent.fd.get(), parent.name.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return fail("create '{}': {}", path, errno_text(errno));
  if (auto written = write_file_data(fd.get(), tar, path); !written) return written;
  if (::ftruncate(fd.get(), archive_entry_size(entry)) < 0)
    return fail("size '{}': {}", path, errno_text(errno));
  return apply_metadata(fd.get(), static_cast<uid_t>(archive_entry_uid(entry)),
                        static_cast<gid_t>(archive_entry_gid(entry)),
                        archive_entry_perm(entry), entry_xattrs(entry), mtime_of(entry), path);
}

// Metadata for entries we cannot open for writing (symlinks, devices, fifos).
Status apply_metadata_at(const ParentDir& parent, archive_entry* entry, const std::string& path,
                         bool is_symlink) {
  const char* name = parent.name.c_str();
  if (::fchownat(parent.fd.get(), name, static_cast<uid_t>(archive_entry_uid(entry)),
                 static_cast<gid_t>(archive_entry_gid(entry)), AT_SYMLINK_NOFOLLOW) < 0)
    return fail("chown '{}': {}", path, errno_text(errno));
  if (!is_symlink && ::fchmodat(parent.fd.get(), name, archive_entry_perm(entry) & 07777, 0) < 0)
    return fail("chmod '{}': {}", path, errno_text(errno));
  // Through the parent's fd in /proc, so the name is never resolved anew.
  std::string proc_path = "/proc/self/fd/" + std::to_string(parent.fd.get()) + "/" + parent.name;
  for (const auto& [key, value] : entry_xattrs(entry))
    if (::lsetxattr(proc_path.c_str(), key.c_str(), value.data(), value.size(), 0) < 0)
      return fail("set xattr '{}' on '{}': {}", key, path, errno_text(errno));
  timespec times[2] = {mtime_of(entry), mtime_of(entry)};
  if (::utimensat(parent.fd.get(), name, times, AT_SYMLINK_NOFOLLOW) < 0)
    return fail("set times of '{}': {}", path, errno_text(errno));
  return {};
}

Status write_hardlink(int root_fd, const ParentDir& parent, const std::string& path,
                      const char* link_target) {
  auto target = layer_link_target(link_target ? link_target : "");
  if (!target) return fail("hard link '{}' -> '{}': {}", path, link_target ? link_target : "",
                           target.error().message);
  auto target_parent = open_parent(root_fd, *target, false);
  if (!target_parent)
    return fail("hard link '{}' -> '{}': the target does not exist in the rootfs", path, *target);
  if (::linkat(target_parent->fd.get(), target_parent->name.c_str(), parent.fd.get(),
               parent.name.c_str(), 0) < 0)
    return fail("hard link '{}' -> '{}': {}", path, *target, errno_text(errno));
  return {};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> entry_xattrs(archive_entry* entry) {
  std::vector<std::pair<std::string, std::string>> xattrs;
  archive_entry_xattr_reset(entry);
  const char* name;
  const void* value;
  size_t size;
  while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK)
    xattrs.emplace_back(name, std::string(static_cast<const char*>(value), size));
  return xattrs;
}

Result<std::optional<DirectoryMetadata>> write_entry(int root_fd, const std::string& path,
                                                     archive* tar, archive_entry* entry) {
  auto parent = open_parent(root_fd, path, true);
  if (!parent) return std::unexpected(parent.error());
  const char* name = parent->name.c_str();
  mode_t type = archive_entry_filetype(entry);
  const char* hardlink = archive_entry_hardlink(entry);

  struct stat existing;
  bool exists = ::fstatat(parent->fd.get(), name, &existing, AT_SYMLINK_NOFOLLOW) == 0;
  if (type == AE_IFDIR && !hardlink) {
    if (exists && !S_ISDIR(existing.st_mode)) {
      if (::unlinkat(parent->fd.get(), name, 0) < 0)
        return fail("replace '{}': {}", path, errno_text(errno));
      exists = false;
    }
    if (!exists && ::mkdirat(parent->fd.get(), name, 0700) < 0)
      return fail("create directory '{}': {}", path, errno_text(errno));
    return DirectoryMetadata{path, static_cast<uid_t>(archive_entry_uid(entry)),
                             static_cast<gid_t>(archive_entry_gid(entry)),
                             archive_entry_perm(entry), mtime_of(entry), entry_xattrs(entry)};
  }
  if (exists) {
    if (auto removed = remove_tree_at(parent->fd.get(), name); !removed) return std::unexpected(removed.error());
  }
  Status status;
  if (hardlink) {
    status = write_hardlink(root_fd, *parent, path, hardlink);
  } else if (type == AE_IFREG) {
    status = write_regular(*parent, path, tar, entry);
  } else if (type == AE_IFLNK) {
    const char* target = archive_entry_symlink(entry);
    if (::symlinkat(target ? target : "", parent->fd.get(), name) < 0)
      status = fail("create symlink '{}': {}", path, errno_text(errno));
    else
      status = apply_metadata_at(*parent, entry, path, true);
  } else if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO) {
    dev_t device = makedev(archive_entry_rdevmajor(entry), archive_entry_rdevminor(entry));
    if (::mknodat(parent->fd.get(), name, type | 0600, type == AE_IFIFO ? 0 : device) < 0)
      status = fail("create device or fifo '{}': {}", path, errno_text(errno));
    else
      status = apply_metadata_at(*parent, entry, path, false);
  } else {
    status = fail("'{}' has an unsupported file type ({:o})", path, type);
  }
  if (!status) return std::unexpected(status.error());
  return std::optional<DirectoryMetadata>();
}

Status finish_directory(int root_fd, const DirectoryMetadata& directory) {
  int fd = open_in_root(root_fd, directory.path, O_DIRECTORY | O_RDONLY | O_NOFOLLOW);
  // A later layer removed it or put something else there: nothing to finish.
  if (fd == -ENOENT || fd == -ELOOP || fd == -ENOTDIR) return {};
  if (fd < 0) return fail("open directory '{}': {}", directory.path, errno_text(-fd));
  UniqueFd owned(fd);
  return apply_metadata(fd, directory.uid, directory.gid, directory.mode, directory.xattrs,
                        directory.mtime, directory.path);
}

}  // namespace ctapp
