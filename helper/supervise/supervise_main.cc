// SPDX-License-Identifier: LGPL-2.1-or-later
// ctapp-supervise: the unit's main process while an app runs. `ctapp run`
// does the setup (config, locks, checks) and then execs this small, statically
// linked program, so that what stays resident for the app's whole life is
// small (DESIGN: RSS <= 2 MiB; runc's own `runc run` parent uses ~10 MB).
// Not meant to be run by hand: its arguments are ctapp's internal interface.
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <algorithm>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/result.h"
#include "process/process.h"
#include "runtime/oci_runtime.h"
#include "runtime/ready_probe.h"
#include "runtime/supervisor.h"
#include "runtime/watchdog_env.h"

namespace {

using ctapp::LogLevel;
using ctapp::NotifyMode;
using ctapp::log_line;

struct Arguments {
  ctapp::SupervisorConfig config;
  std::string runtime = "runc";
  std::string state_root;
  pid_t parent = 0;  // stop the app when this process (ctapp run --foreground) dies
};

bool parse_arguments(int argc, char** argv, Arguments& out) {
  auto& config = out.config;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") {
      config.probe = ctapp::ExecProbe{std::vector<std::string>(argv + i + 1, argv + argc)};
      break;
    }
    if (i + 1 >= argc) return false;
    std::string value = argv[++i];
    if (arg == "--id") config.id = value;
    else if (arg == "--bundle") config.bundle = value;
    else if (arg == "--runtime") out.runtime = value;
    else if (arg == "--state-root") out.state_root = value;
    else if (arg == "--notify-socket") config.notify_socket = value;
    else if (arg == "--probe-tcp") config.probe = ctapp::TcpProbe{static_cast<uint16_t>(std::atoi(value.c_str()))};
    else if (arg == "--ready-timeout-ms") config.ready_timeout = std::chrono::milliseconds(std::atoll(value.c_str()));
    else if (arg == "--kill-after-ms") config.kill_after = std::chrono::milliseconds(std::atoll(value.c_str()));
    else if (arg == "--stop-signal") config.stop_signal = std::atoi(value.c_str());
    else if (arg == "--stop-with-parent") out.parent = static_cast<pid_t>(std::atoi(value.c_str()));
    else if (arg == "--health-tcp") config.health.check = ctapp::TcpProbe{static_cast<uint16_t>(std::atoi(value.c_str()))};
    else if (arg == "--health-arg") {
      if (!std::holds_alternative<ctapp::ExecProbe>(config.health.check)) config.health.check = ctapp::ExecProbe{};
      std::get<ctapp::ExecProbe>(config.health.check).argv.push_back(value);
    }
    else if (arg == "--health-interval-ms") config.health.interval = std::chrono::milliseconds(std::atoll(value.c_str()));
    else if (arg == "--health-timeout-ms") config.health.timeout = std::chrono::milliseconds(std::atoll(value.c_str()));
    else if (arg == "--health-start-period-ms") config.health.start_period = std::chrono::milliseconds(std::atoll(value.c_str()));
    else if (arg == "--health-retries") config.health.retries = static_cast<uint32_t>(std::atoi(value.c_str()));
    else if (arg == "--health-file") config.health_file = value;
    else if (arg == "--health-on-failure") {
      if (value == "none") config.health.on_failure = ctapp::HealthOnFailure::kNone;
      else if (value == "kill") config.health.on_failure = ctapp::HealthOnFailure::kKill;
      else if (value == "restart") config.health.on_failure = ctapp::HealthOnFailure::kRestart;
      else return false;
    }
    else if (arg == "--notify") {
      if (value == "started") config.notify = NotifyMode::kStarted;
      else if (value == "container") config.notify = NotifyMode::kContainer;
      else if (value == "healthy") config.notify = NotifyMode::kHealthy;
      else return false;
    } else {
      return false;
    }
  }
  return !config.id.empty() && !config.bundle.empty() && !out.state_root.empty();
}

}  // namespace

namespace {

int run_main(int argc, char** argv) {
  Arguments arguments;
  if (!parse_arguments(argc, argv, arguments)) {
    std::fprintf(stderr, "ctapp-supervise: internal program of ctapp, started by 'ctapp run'\n");
    return 2;
  }
  auto& config = arguments.config;
  // `ctapp run --foreground` killed with SIGKILL cannot pass anything on:
  // its death becomes a SIGTERM here, a stop like any other.
  if (arguments.parent > 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != arguments.parent) {
      log_line(LogLevel::kErr, "app '" + config.id + "': ctapp exited before the app started");
      return 1;
    }
  }
  auto runtime = ctapp::OciRuntime::find(arguments.runtime, arguments.state_root);
  if (!runtime) {
    log_line(LogLevel::kErr, runtime.error().message);
    return 1;
  }
  const char* watchdog_usec = std::getenv("WATCHDOG_USEC");
  const char* watchdog_pid = std::getenv("WATCHDOG_PID");
  if (watchdog_usec && config.notify == NotifyMode::kContainer &&
      (!watchdog_pid || std::atol(watchdog_pid) == ::getpid())) {
    if (auto passed = ctapp::pass_watchdog_to_container(config.bundle / "config.json", watchdog_usec);
        !passed) {
      log_line(LogLevel::kErr, "app '" + config.id + "': " + passed.error().message);
      return 1;
    }
  }
  // With [health], the supervisor pings systemd's watchdog itself, at half
  // its timeout, and only while the app is not unhealthy.
  bool has_health = !std::holds_alternative<std::monostate>(config.health.check);
  if (watchdog_usec && has_health && (!watchdog_pid || std::atol(watchdog_pid) == ::getpid())) {
    long long usec = std::atoll(watchdog_usec);
    if (usec > 0) config.watchdog_ping = std::chrono::milliseconds(std::max(1LL, usec / 2000));
  }
  auto exit = ctapp::supervise(*runtime, config);
  if (!exit) {
    log_line(LogLevel::kErr, "app '" + config.id + "' could not be started: " + exit.error().message);
    return 1;
  }
  if (exit->never_ready) {
    log_line(LogLevel::kErr, "app '" + config.id + "' did not become ready within " +
                    ctapp::describe_duration(config.ready_timeout) + " (" +
                    ctapp::describe_probe(config.probe) +
                    (exit->probe_hung ? " was still running; killed it" : " kept failing") +
                    "); stopped it");
    return 1;
  }
  if (exit->unhealthy_action) {
    log_line(LogLevel::kErr, "app '" + config.id + "' was " + exit->unhealthy_status + "; " +
                                 (*exit->unhealthy_action == ctapp::HealthOnFailure::kKill
                                      ? "killed it (on_failure = kill)"
                                      : "stopped it (on_failure = restart)"));
    return 1;
  }
  // A stop we asked for ends with the stop signal, or SIGKILL after the
  // grace time: that is a clean stop for systemd, not a failure.
  if (exit->stop_requested && (exit->exit_code == 0 || exit->exit_code == 128 + config.stop_signal ||
                               exit->exit_code == 128 + 9)) {
    log_line(LogLevel::kNotice, "app '" + config.id + "' stopped");
    return 0;
  }
  log_line(exit->exit_code == 0 ? LogLevel::kNotice : LogLevel::kErr,
           "app '" + config.id + "' exited with status " + std::to_string(exit->exit_code));
  return exit->exit_code;
}

}  // namespace

// A backstop only: errors are values, and an exception that still gets here
// is a bug; it must end in one line and exit 1, not in abort() and a core.
int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ctapp-supervise: internal error: %s\n", ctapp::one_line(error.what()).c_str());
  } catch (...) {
    std::fprintf(stderr, "ctapp-supervise: internal error: unknown exception\n");
  }
  return 1;
}
