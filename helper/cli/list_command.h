// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include "cli/command.h"

namespace ctapp {

// ctapp list|ps [--json]: every configured app with state, version and pid.
int run_list_command(const GlobalOptions& options, const std::vector<std::string>& args);
// ctapp status NAME [--json]: one app in detail.
int run_status_command(const GlobalOptions& options, const std::vector<std::string>& args);

}  // namespace ctapp
