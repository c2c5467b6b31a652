// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string>

#include "core/file_lock.h"
#include "core/paths.h"
#include "core/result.h"

namespace ctapp {

// The two locks of one app, in ROOT/run/ctapp/locks:
// NAME.run is held by the app's supervisor for as long as the app runs (the
// helper takes it and the supervisor inherits it across exec); NAME.setup
// serialises everything that changes the app's files: prepare, cleanup,
// preload, update, rollback and gc.
std::filesystem::path app_locks_dir(const Paths& paths);

// Takes NAME.run; fails "app 'NAME' is already running" when it is held.
Result<FileLock> take_run_lock(const std::filesystem::path& locks_dir, const std::string& name);
bool app_is_running(const std::filesystem::path& locks_dir, const std::string& name);
// Fails "app 'NAME' is running: stop it first" while the app runs.
Status refuse_if_running(const std::filesystem::path& locks_dir, const std::string& name);
// Takes NAME.setup, waiting for whoever holds it.
Result<FileLock> lock_app_setup(const std::filesystem::path& locks_dir, const std::string& name);

}  // namespace ctapp
