// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include "cli/command.h"

namespace ctapp {

// ctapp kube generate [--deployment] NAME...|FILE.ctapp...: Kubernetes YAML
// for the apps (helper/kube), on stdout; what cannot be expressed also on
// stderr.
int run_kube_command(const GlobalOptions& options, const std::vector<std::string>& args);

}  // namespace ctapp
