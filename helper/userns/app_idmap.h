// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <vector>

#include "core/app_config.h"
#include "core/paths.h"
#include "core/result.h"
#include "unpack/id_shift.h"

namespace ctapp {

// How an app's ids map to the machine's.
struct AppIdMap {
  bool enabled = false;             // a user namespace at all
  std::vector<IdMapping> uid_map;   // for config.json linux.uidMappings
  std::vector<IdMapping> gid_map;
  IdShift shift;                    // how the unpacked rootfs is owned
};

// user_namespace = "host" (and no maps): none. "auto": the app's own range
// of 65536 host ids (allocated once, then stable). Explicit uid_map/gid_map
// (gid_map defaults to uid_map): as given; the rootfs is shifted by where
// they map id 0, which must be the same host id for uids and gids.
Result<AppIdMap> app_id_map(const Paths& paths, const AppConfig& app);

}  // namespace ctapp
