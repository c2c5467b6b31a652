// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <nlohmann/json.hpp>

#include "cli/app_loader.h"
#include "core/app_versions.h"
#include "unpack/id_shift.h"
#include "core/paths.h"
#include "core/result.h"

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
// The version of an image app to start, recorded as current in its
// version record (core/app_versions.h): the most recent one prepared for
// the configured reference while its directory is whole (no store, no
// network); else the image from the store, pulled first when missing, and
// unpacked to a new version directory. Needs the app's setup lock.
struct ChosenVersion {
  AppVersion version;
  nlohmann::json image_config;  // the image's config blob
};
Result<ChosenVersion> choose_version(const Paths& paths, const AppConfig& app, const IdShift& shift);

Status prepare_app(const Paths& paths, const LoadedApp& app, const PrepareOptions& options = {});

}  // namespace ctapp
