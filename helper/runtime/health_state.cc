// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/health_state.h"

#include <fmt/format.h>

namespace ctapp {

std::string_view health_status_name(HealthStatus status) {
  switch (status) {
    case HealthStatus::kStarting: return "starting";
    case HealthStatus::kHealthy: return "healthy";
    case HealthStatus::kUnhealthy: return "unhealthy";
  }
  return "starting";
}

std::optional<HealthStatus> HealthState::record(bool passed, std::string output,
                                                Clock::time_point now, int64_t now_unix_ms) {
  HealthStatus before = report_.status;
  report_.last_check_unix_ms = now_unix_ms;
  report_.last_output = std::move(output);
  if (passed) {
    was_healthy_ = true;
    report_.failing_streak = 0;
    report_.status = HealthStatus::kHealthy;
  } else if (was_healthy_ || now >= start_period_end_) {
    ++report_.failing_streak;
    if (report_.failing_streak >= retries_) report_.status = HealthStatus::kUnhealthy;
  }
  if (report_.status == before) return std::nullopt;
  return report_.status;
}

std::string HealthState::status_text() const {
  if (report_.status != HealthStatus::kUnhealthy)
    return std::string(health_status_name(report_.status));
  return fmt::format("unhealthy: {} failed check{}: {}", report_.failing_streak,
                     report_.failing_streak == 1 ? "" : "s",
                     report_.last_output.empty() ? "no output" : report_.last_output);
}

}  // namespace ctapp
