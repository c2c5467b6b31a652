// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"
#include "core/app_config.h"
#include "core/result.h"

namespace ctapp {

// ctapp update [--dry-run]... NAME... | --all: for each app with a registry
// image by tag, pulls the tag's current manifest; when its digest differs
// from the version the app is prepared with, unpacks it beside the current
// one and records it as current (the next start runs it). Pinned
// (@sha256:) references, oci: sources and rootfs apps are reported as not
// updatable. Exit status 0 when every app is up to date or updated.
int run_update_command(const GlobalOptions& options, const std::vector<std::string>& args);

// The manifest digest the app's registry reference names now (index ->
// this machine's platform), asked of the registry without pulling; fails
// for apps that are not updatable (saying why) and when the registry
// cannot be reached.
Result<std::string> registry_digest(const Paths& paths, const AppConfig& app);

// ctapp rollback NAME: makes the previous kept version of the app's
// configured reference current again, with no network.
int run_rollback_command(const GlobalOptions& options, const std::vector<std::string>& args);

}  // namespace ctapp
