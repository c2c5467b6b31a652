// SPDX-License-Identifier: LGPL-2.1-or-later
#include "userns/app_idmap.h"

#include <algorithm>

#include "userns/id_ranges.h"

namespace ctapp {
namespace {

const IdMapping* mapping_of_root(const std::vector<IdMapping>& map) {
  auto it = std::find_if(map.begin(), map.end(), [](const IdMapping& m) { return m.container_id == 0; });
  return it == map.end() ? nullptr : &*it;
}

}  // namespace

Result<AppIdMap> app_id_map(const Paths& paths, const AppConfig& app) {
  AppIdMap map;
  const RunSettings& run = app.run;
  bool wanted = !run.uid_map.empty() || run.user_namespace == UserNamespaceMode::kAuto;
  if (wanted && !app.rootfs.empty())
    return fail("app '{}': a user namespace needs an image (ctapp owns the unpacked files in the "
                "app's range); a rootfs = directory is used as it is: remove user_namespace/uid_map",
                app.name);
  if (!run.uid_map.empty()) {
    map.enabled = true;
    map.uid_map = run.uid_map;
    map.gid_map = run.gid_map.empty() ? run.uid_map : run.gid_map;
    const IdMapping* uid_root = mapping_of_root(map.uid_map);
    const IdMapping* gid_root = mapping_of_root(map.gid_map);
    if (!uid_root || !gid_root || uid_root->host_id != gid_root->host_id)
      return fail("app '{}': uid_map and gid_map must both map container id 0, to the same host "
                  "id, so that ctapp can own the image's files in that range",
                  app.name);
    map.shift = {uid_root->host_id, std::min(uid_root->size, gid_root->size)};
  } else if (run.user_namespace == UserNamespaceMode::kAuto) {
    auto range = allocate_id_range(paths, app.name);
    if (!range) return std::unexpected(range.error());
    map.enabled = true;
    IdMapping mapping{0, static_cast<uint32_t>(range->start), static_cast<uint32_t>(range->count)};
    map.uid_map = {mapping};
    map.gid_map = {mapping};
    map.shift = {mapping.host_id, mapping.size};
  }
  return map;
}

}  // namespace ctapp
