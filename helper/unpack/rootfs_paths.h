// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/unique_fd.h"

namespace ctapp {

// A layer entry's name made relative to the rootfs: leading "/" and "./"
// removed, "." components dropped, trailing "/" removed. Fails for names with
// ".." components, empty names and NUL bytes: such entries are hostile.
Result<std::string> clean_entry_path(std::string_view name);

// Everything below works on a directory fd of the rootfs and never leaves
// it: every lookup is openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so
// symlinks (also absolute ones, also from earlier layers) resolve as if the
// rootfs were "/", and the last component is only ever used with *at()
// calls that do not follow it.

// The directory that holds `relative` (a clean path) and its last
// component. With `create`, missing parent directories are made (0755,
// root-owned), each one again inside the rootfs.
struct ParentDir {
  UniqueFd fd;
  std::string name;
};
Result<ParentDir> open_parent(int root_fd, const std::string& relative, bool create);

// openat2 inside the root; returns -errno on failure.
int open_in_root(int root_fd, const std::string& relative, int flags);

// Removes `name` in `dir_fd` and, if it is a directory, all it contains,
// without following any symlink. Succeeds if it does not exist.
Status remove_tree_at(int dir_fd, const std::string& name);

// The names in the open directory `dir_fd`, without "." and ".."; `path`
// names it in errors. `dir_fd` stays open and the caller's.
Result<std::vector<std::string>> directory_children(int dir_fd, const std::string& path);

}  // namespace ctapp
