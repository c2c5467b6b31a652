// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include "cli/app_loader.h"
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
Status prepare_app(const Paths& paths, const LoadedApp& app, const PrepareOptions& options = {});

}  // namespace ctapp
