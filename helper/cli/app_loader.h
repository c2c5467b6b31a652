// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>

#include "core/app_config.h"
#include "core/paths.h"
#include "core/result.h"
#include "runtime/app_layout.h"

namespace ctapp {

struct LoadedApp {
  AppConfig config;
  AppLayout layout;
};

// Finds NAME.ctapp in the config directories and parses it with the same
// parser as the generator. The error lists every diagnostic (file:line:col),
// so `systemctl status` shows what to fix.
Result<LoadedApp> load_app(const Paths& paths, const std::string& name);

// The same for an explicit file (`ctapp run --foreground FILE.ctapp`).
Result<LoadedApp> load_app_file(const Paths& paths, const std::string& file);

}  // namespace ctapp
