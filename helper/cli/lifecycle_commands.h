// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include "cli/command.h"

namespace ctapp {

// ctapp prepare NAME: ExecStartPre.
int run_prepare_command(const GlobalOptions& options, const std::vector<std::string>& args);
// ctapp run NAME: the unit's main process (ExecStart).
// ctapp run --foreground NAME|FILE.ctapp: prepare, run and cleanup, without systemd.
int run_run_command(const GlobalOptions& options, const std::vector<std::string>& args);
// ctapp cleanup NAME: ExecStopPost; idempotent.
int run_cleanup_command(const GlobalOptions& options, const std::vector<std::string>& args);

}  // namespace ctapp
