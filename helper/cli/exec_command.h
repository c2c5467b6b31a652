// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "cli/command.h"
#include "core/paths.h"
#include "core/result.h"
#include "runtime/oci_runtime.h"

namespace ctapp {

// ctapp exec [-u USER] [-e NAME=VALUE]... [-w DIR] NAME CMD...: a command
// inside the running app, exiting with its status.
int run_exec_command(const GlobalOptions& options, const std::vector<std::string>& args);
// ctapp reload NAME: the app's [service] reload (the unit's ExecReload=):
// its signal to the container's init, or its command run in the container.
int run_reload_command(const GlobalOptions& options, const std::vector<std::string>& args);

// True when systemd has a unit for the app: the generator wrote its drop-in
// (ROOT/run/systemd/generator*/ctapp@NAME.service.d).
bool app_has_unit(const Paths& paths, const std::string& name);

// What to tell someone whose app is not running: how it is started here.
std::string not_running_hint(const Paths& paths, const std::string& name);

// The runtime (runc or crun, as prepare recorded) that runs app NAME's
// container; nothing when the container is not running.
Result<std::optional<OciRuntime>> running_runtime(const Paths& paths, const std::string& name);

}  // namespace ctapp
