// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/exec_command.h"

#include <unistd.h>

#include <fmt/format.h>

#include "bundle/user_lookup.h"
#include "cli/app_loader.h"
#include "core/log.h"
#include "core/value_checks.h"
#include "runtime/app_layout.h"
#include "runtime/app_state.h"
#include "runtime/oci_runtime.h"

namespace ctapp {
namespace {

constexpr const char* kExecUsage =
    "ctapp exec [-u USER] [-e NAME=VALUE]... [-w DIR] NAME COMMAND [ARGS...]";

struct ExecRequest {
  std::string name;
  std::string user;
  std::vector<std::string> env;
  std::string workdir;
  std::vector<std::string> argv;
};

// Options come before NAME, as with `podman exec`; everything after NAME is
// the command, options and all.
Result<ExecRequest> parse_exec_args(const std::vector<std::string>& args) {
  ExecRequest request;
  size_t i = 0;
  for (; i < args.size() && args[i].starts_with("-"); ++i) {
    const std::string& option = args[i];
    if (option == "--") {
      ++i;
      break;
    }
    if (option != "-u" && option != "-e" && option != "-w")
      return fail("unknown option '{}'", option);
    if (i + 1 == args.size()) return fail("option '{}' needs a value", option);
    const std::string& value = args[++i];
    if (option == "-u") {
      if (auto valid = check_user(value); !valid) return std::unexpected(valid.error());
      request.user = value;
    } else if (option == "-e") {
      auto equals = value.find('=');
      if (equals == std::string::npos) return fail("-e '{}' is not NAME=VALUE", value);
      if (auto valid = check_env_name(value.substr(0, equals)); !valid)
        return std::unexpected(wrap(fmt::format("-e '{}'", value), valid.error()));
      if (auto plain = check_no_control_chars(value); !plain)
        return std::unexpected(
            wrap(fmt::format("-e '{}'", value.substr(0, equals)), plain.error()));
      request.env.push_back(value);
    } else {
      if (auto valid = check_absolute_path(value); !valid)
        return std::unexpected(wrap(fmt::format("-w '{}'", value), valid.error()));
      request.workdir = value;
    }
  }
  if (args.size() - i < 2) return fail("give an app NAME and a COMMAND");
  request.name = args[i];
  request.argv.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  return request;
}

// The runtime of app NAME when its container is running; otherwise an error
// that says how to start it.
Result<OciRuntime> running_container(const Paths& paths, const std::string& name) {
  auto runtime = running_runtime(paths, name);
  if (!runtime) return std::unexpected(runtime.error());
  if (!*runtime) return fail("app '{}' is not running: {}", name, not_running_hint(paths, name));
  return std::move(**runtime);
}

}  // namespace

bool app_has_unit(const Paths& paths, const std::string& name) {
  std::error_code error;
  for (const char* dir : {"generator", "generator.early", "generator.late"}) {
    auto dropin = paths.under_root(fmt::format("/run/systemd/{}/ctapp@{}.service.d", dir, name));
    if (std::filesystem::is_directory(dropin, error)) return true;
  }
  return false;
}

namespace {

// sd_booted(3): systemd is the running init when this directory exists.
bool systemd_is_running(const Paths& paths) {
  std::error_code error;
  return std::filesystem::is_directory(paths.under_root("/run/systemd/system"), error);
}

}  // namespace

Result<std::optional<OciRuntime>> running_runtime(const Paths& paths, const std::string& name) {
  AppLayout layout = runtime_layout(paths, name);
  auto state = read_app_state(layout.state_file);
  std::string runtime_name = state && *state ? (*state)->runtime : "runc";
  auto runtime = OciRuntime::find(runtime_name, layout.runc_root);
  if (!runtime) return std::unexpected(runtime.error());
  if (runtime->state(name) != "running") return std::nullopt;
  return std::move(*runtime);
}

std::string not_running_hint(const Paths& paths, const std::string& name) {
  if (app_has_unit(paths, name) && systemd_is_running(paths))
    return fmt::format("start it with 'systemctl start ctapp@{}' ('systemctl status ctapp@{}' "
                       "says why it stopped)",
                       name, name);
  // A unit generated once, with no systemd running now (a chroot, a
  // container without systemd, a rescue shell): systemctl cannot help.
  if (app_has_unit(paths, name))
    return fmt::format("systemd is not running here, so its unit ctapp@{} cannot start it; start "
                       "it with 'ctapp run --foreground {}'",
                       name, name);
  return fmt::format(
      "it has no systemd unit; start it with 'ctapp run --foreground {}', or put "
      "{}.ctapp in /etc/containers.d, run 'systemctl daemon-reload' and "
      "'systemctl start ctapp@{}'",
      name, name, name);
}

int run_exec_command(const GlobalOptions& options, const std::vector<std::string>& args) {
  auto request = parse_exec_args(args);
  if (!request) {
    log(LogLevel::kErr, "exec: {}\nUsage: {}", request.error().message, kExecUsage);
    return 2;
  }
  const std::string& name = request->name;
  if (auto valid = check_app_name(name); !valid) {
    log(LogLevel::kErr, "{}", valid.error().message);
    return 2;
  }
  auto runtime = running_container(options.paths, name);
  if (!runtime) {
    log(LogLevel::kErr, "{}", runtime.error().message);
    return 1;
  }
  ExecSettings settings{.env = request->env, .cwd = request->workdir};
  if (!request->user.empty()) {
    // Names are looked up in the app's own /etc/passwd, as for [run] user.
    auto user = resolve_user(runtime_layout(options.paths, name).merged, request->user);
    if (!user) {
      log(LogLevel::kErr, "exec in app '{}': {}", name, user.error().message);
      return 1;
    }
    settings.user = fmt::format("{}:{}", user->uid, user->gid);
    for (gid_t gid : user->additional_gids) settings.additional_gids.push_back(std::to_string(gid));
  }
  auto code = runtime->exec(name, request->argv, ::isatty(0) && ::isatty(1), false, settings);
  if (!code) {
    log(LogLevel::kErr, "{}", code.error().message);
    return 1;
  }
  return *code;
}

int run_reload_command(const GlobalOptions& options, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "Usage: ctapp reload NAME\n");
    return 2;
  }
  auto app = load_app(options.paths, args[0]);
  if (!app) {
    log(LogLevel::kErr, "{}", app.error().message);
    return 1;
  }
  const std::string& name = app->config.name;
  const ReloadAction& reload = app->config.service.reload;
  if (std::holds_alternative<std::monostate>(reload)) {
    log(LogLevel::kErr,
        "app '{}' has no [service] reload: add reload = \"signal:SIGHUP\" (or a command) to {}",
        name, app->config.source_path.string());
    return 1;
  }
  auto runtime = running_container(options.paths, name);
  if (!runtime) {
    log(LogLevel::kErr, "reload: {}", runtime.error().message);
    return 1;
  }
  if (const auto* signal = std::get_if<ReloadSignal>(&reload)) {
    if (auto sent = runtime->kill(name, signal->signal); !sent) {
      log(LogLevel::kErr, "reload of app '{}': {}", name, sent.error().message);
      return 1;
    }
    return 0;
  }
  const auto& command = std::get<ReloadCommand>(reload);
  auto code = runtime->exec(name, command.argv, false);
  if (!code) {
    log(LogLevel::kErr, "reload of app '{}': {}", name, code.error().message);
    return 1;
  }
  if (*code != 0)
    log(LogLevel::kErr, "reload of app '{}': '{}' exited with status {}", name,
        fmt::join(command.argv, " "), *code);
  return *code;
}

}  // namespace ctapp
