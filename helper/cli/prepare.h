// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "bundle/runtime_config.h"
#include "cli/app_loader.h"
#include "core/app_versions.h"
#include "unpack/id_shift.h"
#include "core/paths.h"
#include "core/result.h"
#include "registry/auth.h"
#include "store/oci_layout.h"
#include "userns/app_idmap.h"

namespace ctapp {

// ExecStartPre: makes the app ready to run. Repairs what an earlier crash
// left (container, mount, runtime state), gets the image into the store if
// needed, unpacks it to ROOT/opt/containers/NAME-VERSION unless already
// there, writes config.json (0600: it holds the environment), creates the
// volume directories, mounts the overlay and records the state for run,
// exec, status and cleanup. Under a per-app lock, and a per-image lock for
// the unpack, so concurrent prepares never corrupt each other.
//
// With `apply_resources` (ctapp run --foreground, where no unit applies
// MemoryMax= and TasksMax=), config.json carries memory_max and tasks_max
// as linux.resources limits, which the runtime sets on the container's cgroup.
struct PrepareOptions {
  bool apply_resources = false;
};
Status prepare_app(const Paths& paths, const LoadedApp& app, const PrepareOptions& options = {});


// Where a missing image is pulled with: the machine's auth files and
// registries.conf for prepare; for preload (filling an image root) the
// root's first and the build machine's as a fallback.
struct PullSettings {
  std::vector<std::filesystem::path> auth_files = default_auth_files();
  bool host_registries_fallback = false;
};

// The phases of prepare that change no running state (no mount, network,
// runtime or cgroup), shared with preload: the app's directories and its id
// range, the image in the store (pulled if missing), unpacked into its
// NAME-VERSION directory. Fails naming the app, image or directory.
// The version of an image app to start, recorded as current in its
// version record (core/app_versions.h): the most recent one prepared for
// the configured reference while its directory is whole (no store, no
// network); else the image from the store, pulled first when missing, and
// unpacked to a new version directory. Needs the app's setup lock.
struct ChosenVersion {
  AppVersion version;
  nlohmann::json image_config;  // the image's config blob
};
Result<ChosenVersion> choose_version(const Paths& paths, const AppConfig& app, const IdShift& shift,
                                     const PullSettings& pull = {});

struct UnpackedApp {
  AppIdMap id_map;
  AppLayout layout;                            // bundle/lower: the chosen version
  std::optional<nlohmann::json> image_config;  // none for `rootfs =` apps
  std::string image_digest;                    // empty for `rootfs =` apps
};
Result<UnpackedApp> unpack_app(const Paths& paths, const LoadedApp& app, const PullSettings& pull = {});

// The inputs of config.json that come from the app and its image. The
// rootfs is looked up in `layout`; the paths written into config.json are
// `target`'s (the same layout for prepare; for preload the layout the booted
// machine will have). `config` and `unpacked` must outlive the result.
BundleInputs bundle_inputs(const AppConfig& config, const AppLayout& layout, const AppLayout& target,
                           const UnpackedApp& unpacked);

}  // namespace ctapp
