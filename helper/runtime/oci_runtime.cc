// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/oci_runtime.h"

#include <limits>

#include "core/atomic_file.h"
#include "json/json_reader.h"
#include "process/process.h"

namespace ctapp {
namespace {

// runc interprets NOTIFY_SOCKET itself and forwards only READY=1: ctapp
// relays the protocol itself, so runc must never see the unit's socket.
const SpawnOptions kRuntimeEnv{.env_changes = {"NOTIFY_SOCKET"}};

}  // namespace

Result<OciRuntime> OciRuntime::find(const std::string& name,
                                    const std::filesystem::path& state_root) {
  OciRuntime runtime;
  runtime.binary_ = find_executable(name);
  if (runtime.binary_.empty())
    return fail("container runtime '{}' is not installed: install the '{}' package, or choose "
                "another with [run] runtime",
                name, name);
  runtime.state_root_ = state_root;
  return runtime;
}

std::vector<std::string> OciRuntime::base_args() const {
  return {binary_, "--root", state_root_.string()};
}

Result<pid_t> OciRuntime::start_with_pid_file(const std::vector<std::string>& verb_args,
                                               const std::string& id,
                                               const std::filesystem::path& bundle) const {
  std::filesystem::path pid_path = state_root_ / (id + ".pid");
  std::error_code ignored;
  std::filesystem::create_directories(state_root_, ignored);
  std::filesystem::remove(pid_path, ignored);
  auto args = base_args();
  args.insert(args.end(), verb_args.begin(), verb_args.end());
  args.insert(args.end(), {"--bundle", bundle.string(), "--pid-file", pid_path.string(), id});
  std::string command = binary_;
  for (const auto& arg : verb_args) command += " " + arg;
  auto result = run_process(args, kRuntimeEnv);
  if (!result) return std::unexpected(result.error());
  if (result->exit_code != 0)
    return fail("'{} {}' failed with exit code {} (its error is logged above)", command, id,
                result->exit_code);
  auto text = read_file(pid_path, 64);
  std::filesystem::remove(pid_path, ignored);
  if (!text) return fail("'{} {}' wrote no pid file: {}", command, id, text.error().message);
  try {
    return static_cast<pid_t>(std::stol(*text));
  } catch (const std::exception&) {
    return fail("'{} {}' wrote an invalid pid file", command, id);
  }
}

Result<pid_t> OciRuntime::create(const std::string& id, const std::filesystem::path& bundle) const {
  return start_with_pid_file({"create"}, id, bundle);
}

Result<pid_t> OciRuntime::run_detached(const std::string& id, const std::filesystem::path& bundle) const {
  return start_with_pid_file({"run", "--detach"}, id, bundle);
}

Status OciRuntime::start(const std::string& id) const {
  auto args = base_args();
  args.insert(args.end(), {"start", id});
  auto result = run_process(args, kRuntimeEnv);
  if (!result) return std::unexpected(result.error());
  if (result->exit_code != 0)
    return fail("'{} start {}' failed with exit code {}", binary_, id, result->exit_code);
  return {};
}

Status OciRuntime::kill(const std::string& id, const std::string& signal) const {
  auto args = base_args();
  args.insert(args.end(), {"kill", id, signal});
  auto result = run_process(args, kRuntimeEnv);
  if (!result) return std::unexpected(result.error());
  if (result->exit_code != 0)
    return fail("'{} kill {} {}' failed with exit code {}", binary_, id, signal, result->exit_code);
  return {};
}

Status OciRuntime::delete_force(const std::string& id) const {
  // runc keeps a directory per container in its state root: without one
  // there is nothing to delete, and no need to start runc to learn that.
  std::error_code error;
  if (!std::filesystem::exists(state_root_ / id, error)) return {};
  if (!state(id)) return {};
  auto args = base_args();
  args.insert(args.end(), {"delete", "--force", id});
  auto result = run_process(args, kRuntimeEnv);
  if (!result) return std::unexpected(result.error());
  if (result->exit_code != 0 && state(id))
    return fail("'{} delete --force {}' failed with exit code {}", binary_, id, result->exit_code);
  return {};
}

std::optional<nlohmann::json> OciRuntime::state_json(const std::string& id) const {
  auto args = base_args();
  args.insert(args.end(), {"state", id});
  SpawnOptions options = kRuntimeEnv;
  options.capture_stdout = true;
  options.quiet_stderr = true;
  auto result = run_process(args, options);
  if (!result || result->exit_code != 0) return std::nullopt;
  auto state = parse_json(result->stdout_text, "'state " + id + "'", {.max_size = 1 << 20});
  if (!state || !state->is_object()) return std::nullopt;
  return std::move(*state);
}

std::optional<std::string> OciRuntime::state(const std::string& id) const {
  auto state = state_json(id);
  if (!state) return std::nullopt;
  auto status = JsonView(*state, "runc state").string("status");
  if (!status) return std::nullopt;
  return *status;
}

std::optional<pid_t> OciRuntime::init_pid(const std::string& id) const {
  auto state = state_json(id);
  if (!state) return std::nullopt;
  auto pid = JsonView(*state, "runc state").integer("pid", 1, std::numeric_limits<pid_t>::max());
  if (!pid) return std::nullopt;
  return static_cast<pid_t>(*pid);
}

std::vector<std::string> OciRuntime::exec_argv(const std::string& id,
                                              const std::vector<std::string>& argv, bool tty,
                                              const ExecSettings& settings) const {
  auto args = base_args();
  args.push_back("exec");
  if (tty) args.push_back("--tty");
  if (!settings.user.empty()) args.insert(args.end(), {"--user", settings.user});
  for (const auto& gid : settings.additional_gids)
    args.insert(args.end(), {"--additional-gids", gid});
  for (const auto& variable : settings.env) args.insert(args.end(), {"--env", variable});
  if (!settings.cwd.empty()) args.insert(args.end(), {"--cwd", settings.cwd});
  if (!settings.pid_file.empty()) args.insert(args.end(), {"--pid-file", settings.pid_file});
  args.push_back(id);
  args.insert(args.end(), argv.begin(), argv.end());
  return args;
}

Result<int> OciRuntime::exec(const std::string& id, const std::vector<std::string>& argv, bool tty,
                             bool quiet, const ExecSettings& settings) const {
  auto args = exec_argv(id, argv, tty, settings);
  SpawnOptions options = kRuntimeEnv;
  options.quiet_stderr = quiet;
  auto result = run_process(args, options);
  if (!result) return std::unexpected(result.error());
  return result->exit_code;
}

std::vector<std::string> OciRuntime::list() const {
  std::vector<std::string> ids;
  std::error_code error;
  for (const auto& name : list_directory(state_root_).value_or(std::vector<std::string>()))
    if (std::filesystem::is_directory(state_root_ / name, error)) ids.push_back(name);
  return ids;
}

}  // namespace ctapp
