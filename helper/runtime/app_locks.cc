// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/app_locks.h"

namespace ctapp {

std::filesystem::path app_locks_dir(const Paths& paths) { return paths.runtime_dir() / "locks"; }

Result<FileLock> take_run_lock(const std::filesystem::path& locks_dir, const std::string& name) {
  return FileLock::acquire(locks_dir / (name + ".run"), FileLock::Wait::kFailIfHeld,
                           "app '" + name + "' is already running");
}

bool app_is_running(const std::filesystem::path& locks_dir, const std::string& name) {
  return !FileLock::acquire(locks_dir / (name + ".run"), FileLock::Wait::kFailIfHeld, "");
}

Status refuse_if_running(const std::filesystem::path& locks_dir, const std::string& name) {
  auto running = FileLock::acquire(locks_dir / (name + ".run"), FileLock::Wait::kFailIfHeld,
                                   "app '" + name + "' is running: stop it first");
  if (!running) return std::unexpected(running.error());
  return {};
}

Result<FileLock> lock_app_setup(const std::filesystem::path& locks_dir, const std::string& name) {
  return FileLock::acquire(locks_dir / (name + ".setup"), FileLock::Wait::kBlock, "");
}

}  // namespace ctapp
