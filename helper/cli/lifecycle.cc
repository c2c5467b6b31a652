// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/lifecycle.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <variant>

#include "cli/app_loader.h"
#include "core/health_reader.h"
#include "core/log.h"
#include "network/app_network.h"
#include "runtime/app_state.h"
#include "runtime/health_file.h"
#include "runtime/app_locks.h"
#include "runtime/mounts.h"
#include "core/value_checks.h"
#include "runtime/oci_runtime.h"
#include "process/process.h"
#include "process/signals.h"
#include "runtime/unit_cgroup.h"

namespace ctapp {
namespace {

constexpr std::chrono::milliseconds kDefaultReadyTimeout{60000};

constexpr std::chrono::milliseconds kDefaultKillAfter{10000};

// A validated time span in milliseconds; `fallback` when unset or infinite.
std::chrono::milliseconds milliseconds_of(const std::string& span,
                                          std::chrono::milliseconds fallback) {
  auto parsed = parse_time_span(span);
  if (span.empty() || !parsed || *parsed == std::chrono::microseconds::max()) return fallback;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
}

// How long the supervisor waits after the stop signal before SIGKILL. With a
// stop_timeout, systemd's TimeoutStopSec= is the same span and its timer
// starts first: the supervisor escalates a margin (up to 1 s) earlier, so
// it, not systemd's own timeout, ends the container and the stop is clean.
std::chrono::milliseconds kill_after(const std::string& stop_timeout) {
  auto parsed = parse_time_span(stop_timeout);
  if (stop_timeout.empty() || !parsed || *parsed == std::chrono::microseconds::max())
    return kDefaultKillAfter;  // unset or infinity: systemd's timeout does not race
  auto span = std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
  return span - std::min(span / 4, std::chrono::milliseconds(1000));
}

// The installed supervisor; CTAPP_SUPERVISE overrides it for tests that run
// from the build tree.
std::string supervise_binary() {
  if (const char* path = std::getenv("CTAPP_SUPERVISE"); path && *path) return path;
  return CTAPP_SUPERVISE_PATH;
}

// [health] for the supervisor; nothing without a check.
void append_health_arguments(const HealthSettings& health, const std::filesystem::path& file,
                             std::vector<std::string>& argv) {
  if (std::holds_alternative<std::monostate>(health.check)) return;
  if (const auto* tcp = std::get_if<TcpProbe>(&health.check))
    argv.insert(argv.end(), {"--health-tcp", std::to_string(tcp->port)});
  else if (const auto* command = std::get_if<ExecProbe>(&health.check))
    for (const auto& word : command->argv) argv.insert(argv.end(), {"--health-arg", word});
  argv.insert(argv.end(),
              {"--health-interval-ms", std::to_string(health.interval.count()),
               "--health-timeout-ms", std::to_string(health.timeout.count()),
               "--health-start-period-ms", std::to_string(health.start_period.count()),
               "--health-retries", std::to_string(health.retries),
               "--health-on-failure", std::string(health_on_failure_name(health.on_failure)),
               "--health-file", file.string()});
}

Result<std::vector<std::string>> supervise_argv(const std::string& name, const LoadedApp& app) {
  const AppLayout& layout = app.layout;
  auto state = read_app_state(layout.state_file);
  if (!state) return std::unexpected(state.error());
  if (!*state) return fail("app '{}' is not prepared: run 'ctapp prepare {}' first", name, name);
  if (auto runtime = OciRuntime::find((*state)->runtime, layout.runc_root); !runtime)
    return std::unexpected(runtime.error());
  auto stop_signal = signal_number((*state)->stop_signal);
  if (!stop_signal) return std::unexpected(stop_signal.error());
  const ServiceSettings& service = app.config.service;
  std::vector<std::string> argv = {
      supervise_binary(), "--id", name, "--bundle", (*state)->bundle.string(),
      "--runtime", (*state)->runtime, "--state-root", layout.runc_root.string(),
      "--stop-signal", std::to_string(*stop_signal),
      "--ready-timeout-ms", std::to_string(milliseconds_of(service.ready_timeout, kDefaultReadyTimeout).count()),
      "--kill-after-ms", std::to_string(kill_after(service.stop_timeout).count()),
      "--notify-socket", (layout.notify_dir / "notify.sock").string()};
  static const char* const kNotifyModes[] = {"started", "container", "healthy"};
  argv.insert(argv.end(), {"--notify", kNotifyModes[static_cast<int>(service.notify)]});
  append_health_arguments(app.config.health, health_file_path(layout.runtime), argv);
  if (const auto* tcp = std::get_if<TcpProbe>(&service.ready)) {
    argv.insert(argv.end(), {"--probe-tcp", std::to_string(tcp->port)});
  } else if (const auto* command = std::get_if<ExecProbe>(&service.ready)) {
    argv.push_back("--");
    argv.insert(argv.end(), command->argv.begin(), command->argv.end());
  }
  return argv;
}

}  // namespace

namespace {

volatile sig_atomic_t foreground_child = 0;

// Every signal sent to `ctapp run --foreground` reaches the app: the stop
// requests as SIGTERM to the supervisor (which turns it into the app's stop
// signal and, after the grace time, SIGKILL), the rest as they are.
void forward_to_child(int signal) {
  pid_t child = foreground_child;
  if (child > 0) ::kill(child, is_foreground_stop_request(signal) ? SIGTERM : signal);
}

}  // namespace

Result<int> run_app_in_child(const LoadedApp& app) {
  const std::string& name = app.config.name;
  auto running = take_run_lock(app.layout.lock_dir, name);
  if (!running) return std::unexpected(running.error());
  auto argv = supervise_argv(name, app);
  if (!argv) return std::unexpected(argv.error());
  argv->insert(argv->begin() + 1, {"--stop-with-parent", std::to_string(::getpid())});
  // The supervisor gets a process group of its own, so that a terminal's
  // Ctrl-C reaches this process only and is passed on once, like a kill.
  // The handlers stay after the child is gone: a second Ctrl-C must not
  // interrupt the cleanup that follows.
  sigset_t all, previous;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, &previous);
  struct sigaction forward {};
  forward.sa_handler = forward_to_child;
  sigfillset(&forward.sa_mask);
  forward.sa_flags = SA_RESTART;
  for (int signal : forwarded_signals()) ::sigaction(signal, &forward, nullptr);
  auto pid = spawn_process(*argv, {.own_process_group = true});
  if (pid) foreground_child = *pid;
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  if (!pid) return std::unexpected(pid.error());
  auto status = wait_process(*pid);
  foreground_child = 0;
  return status;
}

Result<int> run_prepared_app(const Paths& paths, const std::string& name) {
  auto app = load_app(paths, name);
  if (!app) return std::unexpected(app.error());
  auto running = take_run_lock(app->layout.lock_dir, name);
  if (!running) return std::unexpected(running.error());
  auto argv = supervise_argv(name, *app);
  if (!argv) return std::unexpected(argv.error());
  if (auto moved = move_to_supervisor_cgroup(name); !moved) return std::unexpected(moved.error());
  // The supervisor replaces this process, so it stays the unit's main PID,
  // and inherits the lock that says the app is running.
  running->keep_across_exec();
  std::vector<char*> args;
  for (auto& arg : *argv) args.push_back(arg.data());
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  return fail("start '{}': {}", (*argv)[0], errno_text(errno));
}

Status cleanup_app(const Paths& paths, const std::string& name) {
  AppLayout layout = runtime_layout(paths, name);
  auto setup = lock_app_setup(layout.lock_dir, name);
  if (!setup) return std::unexpected(setup.error());
  return remove_app_runtime(paths, name);
}

Status remove_app_runtime(const Paths& paths, const std::string& name) {
  AppLayout layout = runtime_layout(paths, name);
  auto state = read_app_state(layout.state_file);
  std::string runtime_name = state && *state ? (*state)->runtime : "runc";
  if (auto runtime = OciRuntime::find(runtime_name, layout.runc_root); runtime) {
    if (auto deleted = runtime->delete_force(name); !deleted) return deleted;
  }
  if (auto unmounted = unmount_all(layout.merged); !unmounted) return unmounted;
  if (auto detached = detach_network(paths, name, layout.runtime); !detached)
    return std::unexpected(wrap("network", detached.error()));
  std::error_code error;
  std::filesystem::remove_all(layout.runtime, error);
  if (error) return fail("remove '{}': {}", layout.runtime.string(), error.message());
  return {};
}

}  // namespace ctapp
