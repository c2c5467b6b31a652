// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/health_file.h"

#include <ctime>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "json/json_reader.h"

namespace ctapp {

std::filesystem::path health_file_path(const std::filesystem::path& runtime_dir) {
  return runtime_dir / "health.json";
}

Status write_health_file(const std::filesystem::path& path, const HealthReport& report) {
  nlohmann::json json = {{"status", std::string(health_status_name(report.status))},
                         {"failing_streak", report.failing_streak},
                         {"last_check_unix_ms", report.last_check_unix_ms},
                         {"last_output", report.last_output}};
  // Not durable: the file lives under /run and is rewritten at every check.
  return write_file_atomic(path, dump_json(json) + "\n", {.mode = 0644, .durable = false});
}

Result<std::optional<HealthReport>> read_health_file(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(std::filesystem::symlink_status(path, error))) return std::nullopt;
  auto parsed = read_json_file(path, {.max_size = 64 << 10, .max_depth = 4});
  if (!parsed) return std::unexpected(parsed.error());
  JsonView view(*parsed, "'" + path.string() + "'");
  if (auto object = view.expect_object(); !object) return std::unexpected(object.error());
  auto status = view.string("status");
  auto streak = view.integer("failing_streak", 0, UINT32_MAX);
  auto last_check = view.integer("last_check_unix_ms", 0, INT64_MAX);
  auto output = view.string("last_output");
  if (!status) return std::unexpected(status.error());
  if (!streak) return std::unexpected(streak.error());
  if (!last_check) return std::unexpected(last_check.error());
  if (!output) return std::unexpected(output.error());
  HealthReport report;
  if (*status == "healthy") report.status = HealthStatus::kHealthy;
  else if (*status == "unhealthy") report.status = HealthStatus::kUnhealthy;
  else if (*status == "starting") report.status = HealthStatus::kStarting;
  else return fail("'{}': 'status' '{}' is not starting, healthy or unhealthy", path.string(), one_line(*status));
  report.failing_streak = static_cast<uint32_t>(*streak);
  report.last_check_unix_ms = *last_check;
  report.last_output = std::move(*output);
  return report;
}

std::string format_utc(int64_t unix_ms) {
  if (unix_ms <= 0) return {};
  time_t seconds = static_cast<time_t>(unix_ms / 1000);
  tm utc{};
  if (!::gmtime_r(&seconds, &utc)) return {};
  char text[32];
  if (std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0) return {};
  return text;
}

}  // namespace ctapp
