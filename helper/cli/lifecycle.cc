// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/lifecycle.h"

#include <chrono>

#include "cli/app_loader.h"
#include "cli/log.h"
#include "runtime/app_state.h"
#include "runtime/file_lock.h"
#include "runtime/mounts.h"
#include "core/value_checks.h"
#include "runtime/oci_runtime.h"
#include "runtime/ready_probe.h"
#include "runtime/supervisor.h"

namespace ctapp {
namespace {

constexpr std::chrono::milliseconds kDefaultReadyTimeout{60000};

std::chrono::milliseconds ready_timeout_of(const AppConfig& app) {
  auto span = parse_time_span(app.service.ready_timeout);
  if (app.service.ready_timeout.empty() || !span || *span == std::chrono::microseconds::max())
    return kDefaultReadyTimeout;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*span);
}

}  // namespace

Result<int> run_prepared_app(const Paths& paths, const std::string& name) {
  auto app = load_app(paths, name);
  if (!app) return std::unexpected(app.error());
  const AppLayout& layout = app->layout;
  auto running = FileLock::acquire(layout.lock_dir / (name + ".run"), FileLock::Wait::kFailIfHeld,
                                   "app '" + name + "' is already running");
  if (!running) return std::unexpected(running.error());
  auto state = read_app_state(layout.state_file);
  if (!state) return std::unexpected(state.error());
  if (!*state) return fail("app '{}' is not prepared: run 'ctapp prepare {}' first", name, name);
  auto runtime = OciRuntime::find((*state)->runtime, layout.runc_root);
  if (!runtime) return std::unexpected(runtime.error());
  auto stop_signal = signal_number((*state)->stop_signal);
  if (!stop_signal) return std::unexpected(stop_signal.error());

  SupervisorConfig config;
  config.id = name;
  config.bundle = (*state)->bundle;
  config.notify = app->config.service.notify;
  config.probe = app->config.service.ready;
  config.ready_timeout = ready_timeout_of(app->config);
  config.stop_signal = *stop_signal;
  if (auto stop_timeout = parse_time_span(app->config.service.stop_timeout);
      stop_timeout && *stop_timeout != std::chrono::microseconds::max())
    config.kill_after = std::chrono::duration_cast<std::chrono::milliseconds>(*stop_timeout);
  config.notify_socket = layout.notify_dir / "notify.sock";
  auto exit = supervise(*runtime, config);
  if (!exit) return std::unexpected(exit.error());
  if (exit->never_ready) {
    log(LogLevel::kErr, "app '{}' did not become ready within {} s ({} kept failing); stopped it",
        name, config.ready_timeout.count() / 1000, describe_probe(config.probe));
    return 1;
  }
  if (exit->stop_requested &&
      (exit->exit_code == 0 || exit->exit_code == 128 + *stop_signal || exit->exit_code == 137)) {
    log(LogLevel::kNotice, "app '{}' stopped", name);
    return 0;
  }
  log(exit->exit_code == 0 ? LogLevel::kNotice : LogLevel::kErr, "app '{}' exited with status {}",
      name, exit->exit_code);
  return exit->exit_code;
}

Status cleanup_app(const Paths& paths, const std::string& name) {
  AppLayout layout = runtime_layout(paths, name);
  auto setup = FileLock::acquire(layout.lock_dir / (name + ".setup"), FileLock::Wait::kBlock, "");
  if (!setup) return std::unexpected(setup.error());
  auto state = read_app_state(layout.state_file);
  std::string runtime_name = state && *state ? (*state)->runtime : "runc";
  if (auto runtime = OciRuntime::find(runtime_name, layout.runc_root); runtime) {
    if (auto deleted = runtime->delete_force(name); !deleted) return deleted;
  }
  if (auto unmounted = unmount_all(layout.merged); !unmounted) return unmounted;
  std::error_code error;
  std::filesystem::remove_all(layout.runtime, error);
  if (error) return fail("remove '{}': {}", layout.runtime.string(), error.message());
  return {};
}

}  // namespace ctapp
