// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include "cli/command.h"

namespace ctapp {

// ctapp check FILE...: prints every error as file:line:col and exits 1 if any.
int run_check_command(const GlobalOptions& options, const std::vector<std::string>& args);

}  // namespace ctapp
