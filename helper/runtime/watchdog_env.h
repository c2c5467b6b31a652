// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string_view>

#include "core/result.h"

namespace ctapp {

// With WatchdogSec= on the unit, systemd gives its main process (the
// supervisor) WATCHDOG_USEC; an app that speaks sd_notify needs it too, or
// sd_watchdog_enabled() says no, the app never pings, and systemd kills it.
// Adds WATCHDOG_USEC=`usec` to process.env of the bundle's config.json
// (WATCHDOG_PID is not passed: inside, the app is not the unit's main pid).
// The relay forwards the app's WATCHDOG=1. Fails naming the file.
Status pass_watchdog_to_container(const std::filesystem::path& config_json, std::string_view usec);

}  // namespace ctapp
