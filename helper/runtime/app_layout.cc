// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/app_layout.h"

#include <fmt/format.h>

#include "core/image_reference.h"

namespace ctapp {

AppLayout runtime_layout(const Paths& paths, const std::string& name) {
  AppLayout layout;
  layout.name = name;
  layout.data = paths.apps_dir() / name;
  layout.runtime = paths.runtime_dir() / name;
  layout.merged = layout.runtime / "rootfs";
  layout.upper = layout.runtime / "upper";
  layout.work = layout.runtime / "work";
  layout.notify_dir = layout.runtime / "notify";
  layout.state_file = layout.runtime / "state.json";
  layout.runc_root = paths.runtime_dir() / "runc";
  layout.lock_dir = paths.runtime_dir() / "locks";
  return layout;
}

Result<AppLayout> app_layout(const Paths& paths, const AppConfig& app) {
  AppLayout layout = runtime_layout(paths, app.name);
  if (app.image.empty()) {
    layout.version = "rootfs";
    layout.bundle = paths.bundles_dir() / fmt::format("{}-rootfs", app.name);
    layout.lower = paths.under_root(app.rootfs);
  } else {
    auto ref = parse_image_reference(app.image);
    if (!ref) return std::unexpected(ref.error());
    layout.version = ref->version();
    layout.bundle = paths.bundles_dir() / fmt::format("{}-{}", app.name, layout.version);
    layout.lower = layout.bundle / "rootfs";
  }
  layout.config_json = layout.bundle / "config.json";
  if (app.run.keep_changes) {
    layout.upper = layout.data / ".overlay" / "upper";
    layout.work = layout.data / ".overlay" / "work";
  }
  return layout;
}

}  // namespace ctapp
