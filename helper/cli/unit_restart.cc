// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/unit_restart.h"

#include <sys/stat.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "process/process.h"

namespace ctapp {
namespace {

std::string unit_of(const std::string& app) { return fmt::format("ctapp@{}.service", app); }

// `systemctl show` of a few properties, as "Name=value" lines.
std::string unit_properties(const std::string& app) {
  SpawnOptions options;
  options.capture_stdout = true;
  options.quiet_stderr = true;
  options.timeout = std::chrono::seconds(30);
  auto shown = run_process({"systemctl", "show", "--property=ActiveState,SubState,Result,ExecMainStatus,NRestarts",
                            unit_of(app)},
                           options);
  if (!shown || shown->exit_code != 0) return "";
  return shown->stdout_text;
}

std::string property(const std::string& properties, const std::string& name) {
  auto at = properties.find(name + "=");
  if (at == std::string::npos) return "";
  at += name.size() + 1;
  return properties.substr(at, properties.find('\n', at) - at);
}

std::string describe(const std::string& properties) {
  return fmt::format("state {}/{}, result '{}', exit status {}", property(properties, "ActiveState"),
                     property(properties, "SubState"), property(properties, "Result"),
                     property(properties, "ExecMainStatus"));
}

}  // namespace

bool systemd_is_running() {
  struct stat st;
  return ::lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

bool app_unit_is_active(const std::string& app) {
  SpawnOptions options;
  options.quiet_stderr = true;
  options.capture_stdout = true;
  options.timeout = std::chrono::seconds(30);
  auto active = run_process({"systemctl", "is-active", "--quiet", unit_of(app)}, options);
  return active && active->exit_code == 0;
}

Status restart_app_unit(const std::string& app) {
  SpawnOptions options;
  options.quiet_stderr = true;
  options.capture_stdout = true;
  auto restarted = run_process({"systemctl", "restart", unit_of(app)}, options);
  if (!restarted) return std::unexpected(restarted.error());
  if (restarted->exit_code != 0)
    return fail("'{}' did not become active ({})", unit_of(app), describe(unit_properties(app)));
  std::string restarts = property(unit_properties(app), "NRestarts");
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(kSettleSeconds);
  while (std::chrono::steady_clock::now() < until) {
    std::string now = unit_properties(app);
    if (property(now, "ActiveState") != "active" || property(now, "NRestarts") != restarts)
      return fail("'{}' ended right after it started ({})", unit_of(app), describe(now));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return {};
}

}  // namespace ctapp
