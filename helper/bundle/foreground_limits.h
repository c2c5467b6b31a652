// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "core/app_config.h"
#include "core/result.h"

namespace ctapp {

// The [resources] limits `ctapp run --foreground` sets itself, through the
// runtime-spec's linux.resources (memory.limit, pids.limit), because no
// systemd unit applies MemoryMax= and TasksMax= there. Nothing: no limit.
struct ForegroundLimits {
  std::optional<int64_t> memory_bytes;
  std::optional<int64_t> pids;
};

// What the machine's size is for percentages, as systemd takes them:
// physical memory for memory_max, the kernel's task limit for tasks_max.
struct MachineSize {
  uint64_t memory_bytes = 0;
  uint64_t tasks = 0;
  static MachineSize current();
};

// memory_max and tasks_max as systemd reads them ("512M" in units of 1024,
// "1.5G", bytes, "50%", "infinity"). Fails naming the key for a value the
// parser would not have let through.
Result<ForegroundLimits> foreground_limits(const ResourceSettings& resources,
                                           const MachineSize& machine);

// Fails, naming the key and the controller, when the machine has no cgroup
// controller for a limit (a container without them, such as an nspawn
// guest): the runtime would fail the start with "pids.max: no such file".
// Looks at CGROUP_ROOT/cgroup.controllers on cgroup v2, else for the v1
// hierarchy CGROUP_ROOT/CONTROLLER.
Status check_limit_controllers(const ForegroundLimits& limits,
                               const std::filesystem::path& cgroup_root = "/sys/fs/cgroup");

}  // namespace ctapp
