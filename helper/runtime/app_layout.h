// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string>

#include "core/app_config.h"
#include "core/paths.h"
#include "core/result.h"

namespace ctapp {

// Where everything of one app lives (DESIGN.md "On disk"), under the root prefix.
struct AppLayout {
  std::string name;
  std::string version;                // image tag, digest prefix, or "rootfs"
  // ROOT/opt/containers/NAME-rootfs for a rootfs app; for an image app the
  // version directory NAME-VERSION-DIGEST12 that prepare chose
  // (set_version_dir), empty before.
  std::filesystem::path bundle;
  std::filesystem::path lower;        // the rootfs under the overlay
  std::filesystem::path config_json;  // bundle/config.json
  std::filesystem::path data;         // ROOT/var/lib/ctapp/apps/NAME (volumes)
  std::filesystem::path runtime;      // ROOT/run/ctapp/NAME (gone at stop)
  std::filesystem::path merged;       // runtime/rootfs: the container's root
  std::filesystem::path upper;        // runtime/upper, or data/.overlay/upper with keep_changes
  std::filesystem::path work;
  std::filesystem::path notify_dir;   // runtime/notify: the container's sd_notify socket
  std::filesystem::path state_file;   // runtime/state.json, written by prepare
  std::filesystem::path runc_root;    // ROOT/run/ctapp/runc: ctapp's runc state root
  std::filesystem::path lock_dir;     // ROOT/run/ctapp/locks
};

// Fails only if the app's image reference cannot be parsed.
Result<AppLayout> app_layout(const Paths& paths, const AppConfig& app);

// Layout of an app whose .ctapp is gone or broken: enough for cleanup.
AppLayout runtime_layout(const Paths& paths, const std::string& name);

// Points bundle, lower and config_json at ROOT/opt/containers/DIR.
void set_version_dir(AppLayout& layout, const Paths& paths, const std::string& dir);

// Makes sure layout.bundle (created closed by ensure_app_dirs) is this
// app's and version's (Paths::bundle_dir says why); fails naming the app
// that owns it.
Status claim_bundle_dir(const AppLayout& layout);
// Removes layout.bundle again if it holds nothing but its owner record (an
// image that could not be pulled or unpacked leaves no empty NAME-VERSION
// behind).
void release_unused_bundle_dir(const AppLayout& layout);

}  // namespace ctapp
