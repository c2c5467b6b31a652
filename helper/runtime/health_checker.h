// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "core/app_config.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "runtime/health_state.h"
#include "runtime/oci_runtime.h"

namespace ctapp {

// Runs an app's [health] check inside the supervisor's event loop: a timer
// starts one attempt every `interval` (the same probe code as readiness: a
// child process, so the loop never blocks), a second timer kills an attempt
// still running at `timeout`, and the attempt's exit (seen by the loop as
// SIGCHLD) is recorded in the HealthState and in health.json.
class HealthChecker {
 public:
  // Arms the interval timer; fails when a timer cannot be made.
  static Result<HealthChecker> start(const HealthSettings& settings, std::filesystem::path file,
                                     const OciRuntime& runtime, std::string id, pid_t init_pid);

  int interval_fd() const { return interval_timer_.get(); }
  int timeout_fd() const { return timeout_timer_.get(); }

  struct Finished {
    std::optional<HealthStatus> transition;  // the new status, when it changed
  };
  // Starts an attempt, unless one runs or checks stopped; an attempt that
  // cannot be started counts as a failed check, finished at once.
  std::optional<Finished> on_interval();
  void on_timeout();   // kills the running attempt (and what it started)
  // Stops starting attempts (the app is stopping); one running is left to end.
  void stop();

  // When `pid` was an attempt: records its result and says what changed.
  std::optional<Finished> on_exit(pid_t pid, int wait_status);

  const HealthState& state() const { return state_; }
  // Problems writing health.json, for the caller to log; cleared when read.
  std::string take_write_error();

 private:
  HealthChecker(const HealthSettings& settings, std::filesystem::path file, const OciRuntime& runtime,
                std::string id, pid_t init_pid);
  std::string output_of_attempt(int exit_code);
  std::string pid_file() const;  // empty: none (a tcp check, or no health.json)
  void write_file();

  HealthSettings settings_;
  std::filesystem::path file_;
  const OciRuntime* runtime_;
  std::string id_;
  pid_t init_pid_;
  HealthState state_;
  UniqueFd interval_timer_;
  UniqueFd timeout_timer_;
  UniqueFd output_;        // a memfd holding the running attempt's output
  pid_t attempt_pid_ = 0;
  bool timed_out_ = false;
  bool stopped_ = false;
  std::string write_error_;
};

// Timers on CLOCK_MONOTONIC: first after `first`, then every `interval`
// (0: once). Shared by the supervisor's loop.
Result<UniqueFd> make_timer(std::chrono::milliseconds first, std::chrono::milliseconds interval);
// Reads a timer's expiration count so that it stops being readable.
void drain_timer(int fd);

}  // namespace ctapp
