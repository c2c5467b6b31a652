// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>

#include "core/result.h"

namespace ctapp {

// A named network namespace, pinned by a bind mount of its nsfs file at
// `path` (as `ip netns add` does under /run/netns). Fails if it exists.
Status create_netns(const std::filesystem::path& path);

// Unmounts and removes `path`; succeeds when it is already gone.
Status remove_netns(const std::filesystem::path& path);

}  // namespace ctapp
