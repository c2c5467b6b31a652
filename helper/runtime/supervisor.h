// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "core/app_config.h"
#include "core/result.h"
#include "runtime/oci_runtime.h"

namespace ctapp {

struct SupervisorConfig {
  std::string id;                       // container id (the app name)
  std::filesystem::path bundle;         // holds config.json
  NotifyMode notify = NotifyMode::kStarted;
  ReadyProbe probe;
  std::chrono::milliseconds ready_timeout{60000};
  std::chrono::milliseconds probe_interval{250};
  int stop_signal = 15;                 // what SIGTERM from systemd becomes
  // After a stop signal, the container gets this long before SIGKILL (a PID 1
  // without a handler ignores SIGTERM, as busybox httpd does).
  std::chrono::milliseconds kill_after{10000};
  std::filesystem::path notify_socket;  // host path, for notify = container
  HealthSettings health;                // no checks when health.check is std::monostate
  std::filesystem::path health_file;    // health.json, for `ctapp status`
  // With [health] and WatchdogSec=: the supervisor pings WATCHDOG=1 this
  // often while the app is not unhealthy (0: no pings).
  std::chrono::milliseconds watchdog_ping{0};
};

struct ContainerExit {
  int exit_code = 0;          // exit status, or 128 + signal
  bool stop_requested = false;  // we forwarded a stop signal before it exited
  bool never_ready = false;   // the readiness probe timed out
  bool probe_hung = false;    // ... and its last attempt was still running (killed)
  // Set when [health] on_failure = kill or restart ended the app.
  std::optional<HealthOnFailure> unhealthy_action;
  std::string unhealthy_status;  // "unhealthy: 3 failed checks: ..."
};

// Runs the container to its end as a small supervisor: child subreaper,
// `runc create` + `runc start` (`runc run --detach` without a notify relay),
// READY=1 per the notify mode, every signal of
// forwarded_signals() passed on to the container's init — SIGTERM as the
// app's stop signal; SIGTERM and SIGINT start the stop (kill after the grace
// time). Waits on a signalfd, the notify socket and a probe timer: no
// polling once the app is ready. With [health], runs the check on its own
// timer, reports transitions (journal, STATUS=, health.json), acts per
// on_failure, and pings the watchdog only while the app is not unhealthy
// (relayed WATCHDOG=1 of the app itself are dropped while it is). Fails only when the container could not be
// started at all.
Result<ContainerExit> supervise(const OciRuntime& runtime, const SupervisorConfig& config);

}  // namespace ctapp
