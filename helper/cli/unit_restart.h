// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>

#include "core/result.h"

namespace ctapp {

// The app's unit under systemd (ctapp@NAME.service), driven with systemctl.

// True when this machine runs systemd (sd_booted(3): /run/systemd/system).
bool systemd_is_running();

// True when ctapp@NAME.service is active (or reloading).
bool app_unit_is_active(const std::string& app);

// Restarts ctapp@NAME.service and waits for the start job (systemd's own
// start timeout bounds it: READY=1 per the app's notify mode, or failure),
// then watches it for kSettleSeconds: a start that fails, or an app that
// exits right after it, is a failure whose message says what systemd saw
// (ActiveState, Result, the main process's exit status).
inline constexpr int kSettleSeconds = 3;
Status restart_app_unit(const std::string& app);

}  // namespace ctapp
