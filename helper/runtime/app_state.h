// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/result.h"

namespace ctapp {

// What `ctapp prepare` decided for this start, for run, exec, status and
// cleanup (ROOT/run/ctapp/NAME/state.json). Cleanup must work from it alone,
// even when the .ctapp file has been removed or broken since.
struct AppState {
  std::string version;
  std::filesystem::path bundle;
  std::string runtime = "runc";
  std::string stop_signal = "SIGTERM";
  std::string image;          // reference as configured; empty for rootfs apps
  std::string image_digest;   // manifest digest; empty for rootfs apps
  bool keep_changes = false;
};

Status write_app_state(const std::filesystem::path& file, const AppState& state);
// Nothing if the file does not exist; an error if it is unreadable or corrupt.
Result<std::optional<AppState>> read_app_state(const std::filesystem::path& file);

// "SIGTERM", "TERM" or "15" -> 15; fails on anything else.
Result<int> signal_number(const std::string& name);

}  // namespace ctapp
