// SPDX-License-Identifier: LGPL-2.1-or-later
#include "unpack/rootfs_paths.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "core/unique_fd.h"

namespace ctapp {
namespace {

constexpr size_t kMaxPath = 4096;

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto part = path.substr(0, slash);
    if (!part.empty()) parts.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

}  // namespace

Result<std::string> clean_entry_path(std::string_view name) {
  if (name.find('\0') != std::string_view::npos) return fail("the name contains a NUL byte");
  if (name.size() > kMaxPath) return fail("the name is longer than {} bytes", kMaxPath);
  std::string clean;
  for (auto part : components(name)) {
    if (part == ".") continue;
    if (part == "..") return fail("the name contains '..' (it would leave the rootfs)");
    if (!clean.empty()) clean += '/';
    clean += part;
  }
  if (clean.empty()) return fail("the name is empty or names the root itself");
  return clean;
}

int open_in_root(int root_fd, const std::string& relative, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* path = relative.empty() ? "." : relative.c_str();
  long fd;
  do {
    fd = ::syscall(SYS_openat2, root_fd, path, &how, sizeof how);
  } while (fd < 0 && errno == EAGAIN);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

Result<ParentDir> open_parent(int root_fd, const std::string& relative, bool create) {
  auto slash = relative.rfind('/');
  ParentDir parent;
  parent.name = slash == std::string::npos ? relative : relative.substr(slash + 1);
  std::string dir = slash == std::string::npos ? "" : relative.substr(0, slash);
  int fd = open_in_root(root_fd, dir, O_DIRECTORY | O_RDONLY);
  if (fd >= 0 || fd != -ENOENT || !create) {
    if (fd < 0) return fail("open '{}' in the rootfs: {}", dir, errno_text(-fd));
    parent.fd.reset(fd);
    return parent;
  }
  // Make the missing directories one at a time; each mkdirat happens in a
  // directory that was itself resolved inside the rootfs.
  UniqueFd current(open_in_root(root_fd, "", O_DIRECTORY | O_RDONLY));
  if (!current.valid()) return fail("open the rootfs: {}", errno_text(errno));
  std::string walked;
  for (auto part : components(dir)) {
    std::string name(part);
    walked += (walked.empty() ? "" : "/") + name;
    if (::mkdirat(current.get(), name.c_str(), 0755) < 0 && errno != EEXIST)
      return fail("create directory '{}': {}", walked, errno_text(errno));
    int next = open_in_root(root_fd, walked, O_DIRECTORY | O_RDONLY);
    if (next == -ENOENT)
      return fail("'{}' is a symlink to a directory that does not exist in the rootfs", walked);
    if (next < 0) return fail("open '{}' in the rootfs: {}", walked, errno_text(-next));
    current.reset(next);
  }
  parent.fd = std::move(current);
  return parent;
}

Result<std::vector<std::string>> directory_children(int dir_fd, const std::string& path) {
  // readdir needs a DIR of its own, and closedir closes its fd: give it a copy.
  int copy = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  DIR* dir = copy < 0 ? nullptr : ::fdopendir(copy);
  if (!dir) {
    int error = errno;
    if (copy >= 0) ::close(copy);
    return fail("read directory '{}': {}", path, errno_text(error));
  }
  ::rewinddir(dir);
  std::vector<std::string> children;
  while (dirent* entry = ::readdir(dir)) {
    std::string child = entry->d_name;
    if (child != "." && child != "..") children.push_back(std::move(child));
  }
  ::closedir(dir);
  return children;
}

Status remove_tree_at(int dir_fd, const std::string& name) {
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return {};
    return fail("stat '{}': {}", name, errno_text(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dir_fd, name.c_str(), 0) < 0 && errno != ENOENT)
      return fail("remove '{}': {}", name, errno_text(errno));
    return {};
  }
  UniqueFd child(::openat(dir_fd, name.c_str(), O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!child.valid()) return fail("open directory '{}': {}", name, errno_text(errno));
  auto children = directory_children(child.get(), name);
  if (!children) return std::unexpected(children.error());
  for (const auto& grandchild : *children)
    if (auto removed = remove_tree_at(child.get(), grandchild); !removed) return removed;
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    return fail("remove directory '{}': {}", name, errno_text(errno));
  return {};
}

}  // namespace ctapp
