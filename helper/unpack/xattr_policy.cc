// SPDX-License-Identifier: LGPL-2.1-or-later
#include "unpack/xattr_policy.h"

#include <algorithm>

#include <archive.h>
#include <archive_entry.h>

#include "unpack/entry_writer.h"

namespace ctapp {

bool layer_may_set_xattr(std::string_view name) {
  if (name.starts_with("user.")) return !name.starts_with("user.overlay.") && name.size() > 5;
  return name == "security.capability" || name == "system.posix_acl_access" ||
         name == "system.posix_acl_default";
}

std::vector<std::string> drop_forbidden_xattrs(archive_entry* entry) {
  auto xattrs = entry_xattrs(entry);
  std::vector<std::string> dropped;
  // pax archives may carry one xattr twice (SCHILY.xattr and LIBARCHIVE.xattr).
  for (const auto& [name, value] : xattrs)
    if (!layer_may_set_xattr(name) && std::find(dropped.begin(), dropped.end(), name) == dropped.end())
      dropped.push_back(name);
  if (dropped.empty()) return dropped;
  archive_entry_xattr_clear(entry);
  for (const auto& [name, value] : xattrs)
    if (layer_may_set_xattr(name))
      archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
  return dropped;
}

}  // namespace ctapp
