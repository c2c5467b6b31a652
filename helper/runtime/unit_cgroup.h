// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>

#include "core/result.h"

namespace ctapp {

// Under systemd, ctapp@NAME.service has Delegate=yes: the container goes to a
// sub-cgroup of the unit ("…/ctapp@NAME.service/container"), so MemoryMax=,
// accounting and the final kill of the unit reach it. Returns that path for
// config.json's linux.cgroupsPath, or "" when not running as that unit
// (then the runtime's default applies).
std::string container_cgroup_path(const std::string& app);

// cgroup v2 allows processes only in leaves once controllers are delegated:
// moves this process (the supervisor) into "…/ctapp@NAME.service/supervisor".
// Does nothing when not running as the unit.
Status move_to_supervisor_cgroup(const std::string& app);

}  // namespace ctapp
