// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ctapp {

enum class HealthStatus { kStarting, kHealthy, kUnhealthy };

// "starting", "healthy", "unhealthy".
std::string_view health_status_name(HealthStatus status);

// What the supervisor knows of an app's health, for STATUS=, the journal
// and ROOT/run/ctapp/NAME/health.json.
struct HealthReport {
  HealthStatus status = HealthStatus::kStarting;
  uint32_t failing_streak = 0;     // consecutive failed checks (those that count)
  int64_t last_check_unix_ms = 0;  // wall clock of the last check's end; 0: none yet
  std::string last_output;         // what the last check said (its error when it failed)
};

// The health state machine of one app, fed with check results; it knows no
// clock of its own (the caller passes the times), so tests need no sleeps.
// - A passing check makes the app healthy and resets the streak.
// - A failing check inside the start period does not count (the app may
//   still be starting), unless the app has already been healthy once.
// - `retries` counted failures in a row make it unhealthy.
class HealthState {
 public:
  using Clock = std::chrono::steady_clock;

  HealthState(uint32_t retries, std::chrono::milliseconds start_period, Clock::time_point started)
      : retries_(retries), start_period_end_(started + start_period) {}

  // Records one check's result; returns the new status when it changed.
  std::optional<HealthStatus> record(bool passed, std::string output, Clock::time_point now,
                                     int64_t now_unix_ms);

  const HealthReport& report() const { return report_; }

  // The STATUS= text: "starting", "healthy", or
  // "unhealthy: 3 failed checks: <last output>".
  std::string status_text() const;

 private:
  uint32_t retries_;
  Clock::time_point start_period_end_;
  bool was_healthy_ = false;
  HealthReport report_;
};

}  // namespace ctapp
