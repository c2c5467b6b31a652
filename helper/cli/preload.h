// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/prepare.h"

namespace ctapp {

// Fills a machine (usually an image root under --root) with what the app
// needs to start offline: the image pulled into the store and unpacked into
// its NAME-VERSION directory, the user-namespace range allocated, and
// config.json written with the paths the booted machine will have. Nothing
// that belongs to a running app: no mount, network namespace, CNI, runtime
// or cgroup, so it works with the root on overlayfs, tmpfs or any file
// system. prepare still writes config.json again at every start (it
// depends on the network attached then). env_files and the seccomp profile
// are read from the root (the seccomp profile from the build machine if the
// root has none). Fails if the app is running.
Status preload_app(const Paths& paths, const LoadedApp& app, const PullSettings& pull);

// `ctapp preload [--authfile FILE] --all | NAME...`
int run_preload_command(const GlobalOptions& options, const std::vector<std::string>& args);

}  // namespace ctapp
