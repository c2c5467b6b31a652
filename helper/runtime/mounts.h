// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <filesystem>

#include "core/result.h"

namespace ctapp {

struct OverlayLayers {
  std::filesystem::path lower;   // the version's read-only rootfs
  std::filesystem::path upper;   // writes go here
  std::filesystem::path work;    // overlayfs scratch, same filesystem as upper
  std::filesystem::path merged;  // where the container's root appears
};

// Creates upper/work/merged if missing and mounts the overlay on merged.
// With a user namespace the upper directory is owned by the app's root
// (`root_id`), since the merged root takes its owner from it. Fails naming
// the paths and the kernel's error.
Status mount_overlay(const OverlayLayers& layers, uint32_t root_id = 0);

// True if `path` is the root of a mount (statx STATX_ATTR_MOUNT_ROOT).
bool is_mount_point(const std::filesystem::path& path);

// Unmounts everything stacked on `path` (lazily if busy); succeeds when
// nothing is mounted there, so it can run after any crash.
Status unmount_all(const std::filesystem::path& path);

}  // namespace ctapp
