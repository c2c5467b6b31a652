// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <optional>

#include "core/result.h"
#include "runtime/health_state.h"

namespace ctapp {

// ROOT/run/ctapp/NAME/health.json: the supervisor's view of an app's health
// for `ctapp status`, rewritten atomically after each check and gone with
// the app's runtime directory at stop.
std::filesystem::path health_file_path(const std::filesystem::path& runtime_dir);

// Fails naming the file.
Status write_health_file(const std::filesystem::path& path, const HealthReport& report);

// Nothing when the file does not exist (no [health], or not running);
// fails naming the file when it exists but is not what the supervisor writes.
Result<std::optional<HealthReport>> read_health_file(const std::filesystem::path& path);

// Milliseconds since the epoch as "2026-12-01T04:30:00Z" (UTC); "" for 0.
std::string format_utc(int64_t unix_ms);

}  // namespace ctapp
