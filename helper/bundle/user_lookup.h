// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace ctapp {

struct ResolvedUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> additional_gids;  // from the rootfs' /etc/group
};

// Resolves a Docker-style user ("name", "uid", "name:group", "uid:gid") the
// way the image expects, through the rootfs' own /etc/passwd and /etc/group
// (read inside the rootfs, never following links out of it): runc wants
// numeric ids. A uid without a passwd entry gets gid 0, as with Docker.
// Fails naming the user and the file when a name is unknown.
Result<ResolvedUser> resolve_user(const std::filesystem::path& rootfs, const std::string& user);

}  // namespace ctapp
