// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

struct archive_entry;

namespace ctapp {

// Whether a layer may set the extended attribute `name` on the rootfs.
// Kept: user.* (but not user.overlay.*, which overlayfs mounted with
// "userxattr" acts on), security.capability (file capabilities are part of
// an image), system.posix_acl_access and system.posix_acl_default. Dropped:
// everything else, above all trusted.* (trusted.overlay.opaque, .redirect,
// .metacopy would act on the overlay whose lower layer this rootfs is) and
// the other security.* labels (security.selinux, security.ima, ...), which
// belong to the host's policy and not to an image.
bool layer_may_set_xattr(std::string_view name);

// Removes from `entry` the xattrs layer_may_set_xattr refuses; returns
// their names in the entry's order.
std::vector<std::string> drop_forbidden_xattrs(archive_entry* entry);

}  // namespace ctapp
