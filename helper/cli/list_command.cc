// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/list_command.h"

#include <cstdio>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "json/json_reader.h"
#include "network/cni.h"

#include "core/log.h"
#include "core/atomic_file.h"
#include "core/app_config_parser.h"
#include "cli/update_commands.h"
#include "core/app_versions.h"
#include "core/image_reference.h"
#include "core/config_files.h"
#include "core/value_checks.h"
#include "runtime/app_layout.h"
#include "runtime/app_state.h"
#include "runtime/health_file.h"
#include "runtime/oci_runtime.h"
#include "userns/id_ranges.h"

namespace ctapp {
namespace {

struct AppStatus {
  std::string name;
  std::string source;     // the .ctapp file, empty if none
  std::string image;
  std::string error;      // first config error, if the file is invalid
  std::string state = "inactive";  // runc's state, or inactive
  std::string version;
  std::string image_digest;
  std::optional<int> pid;
  std::vector<std::string> addresses;  // bridge mode: from the CNI result
  std::optional<IdRange> host_ids;     // user_namespace = "auto": the app's range
  std::optional<HealthReport> health;  // running with [health]: the supervisor's health.json
  AppVersions versions;                // on disk, current first
  std::string check;                   // --check: what the registry says
};

// --check: whether the registry has another digest for the app's tag than
// the version a start would run.
std::string check_registry(const Paths& paths, const std::optional<AppSource>& source,
                           const AppVersions& versions) {
  if (!source) return "no .ctapp";
  auto config = parse_app(*source);
  if (!config) return "invalid .ctapp";
  auto remote = registry_digest(paths, *config);
  if (!remote) return remote.error().message;
  auto ref = parse_image_reference(config->image);
  const AppVersion* local = ref ? versions.latest_for(ref->canonical()) : nullptr;
  if (local && local->digest == *remote) return "up to date";
  return fmt::format("newer image {} (run 'ctapp update {}')", *remote, config->name);
}

AppStatus status_of(const Paths& paths, const std::string& name,
                    const std::optional<AppSource>& source) {
  AppStatus status;
  status.name = name;
  if (source) {
    status.source = source->main_file.string();
    auto config = parse_app(*source);
    if (config) {
      status.image = config->image.empty() ? "rootfs " + config->rootfs : config->image;
    } else {
      status.error = config.error().front().format();
    }
  }
  if (auto range = recorded_id_range(paths, name); range && *range) status.host_ids = **range;
  if (auto versions = read_app_versions(paths, name); versions) status.versions = std::move(*versions);
  AppLayout layout = runtime_layout(paths, name);
  auto network_file = layout.runtime / "network.json";
  if (auto network = read_json_file(network_file, {.max_size = 1 << 20}); network && network->is_object())
    if (auto result = network->find("result"); result != network->end())
      status.addresses = cni_result_addresses(*result, "'" + network_file.string() + "'")
                             .value_or(std::vector<std::string>());
  auto state = read_app_state(layout.state_file);
  if (state && *state) {
    status.version = (*state)->version;
    status.image_digest = (*state)->image_digest;
    if (auto runtime = OciRuntime::find((*state)->runtime, layout.runc_root); runtime) {
      if (auto runc_state = runtime->state(name)) {
        status.state = *runc_state;
        status.pid = runtime->init_pid(name);
        if (auto health = read_health_file(health_file_path(layout.runtime)); health && *health)
          status.health = **health;
      } else {
        status.state = "prepared";
      }
    }
  }
  return status;
}

nlohmann::json to_json(const AppStatus& status) {
  nlohmann::json json = {{"name", status.name},   {"source", status.source},
                         {"image", status.image}, {"state", status.state},
                         {"version", status.version}, {"image_digest", status.image_digest}};
  json["pid"] = status.pid ? nlohmann::json(*status.pid) : nlohmann::json(nullptr);
  json["addresses"] = status.addresses;
  json["host_ids"] = status.host_ids ? nlohmann::json{{"start", status.host_ids->start},
                                                      {"count", status.host_ids->count}}
                                     : nlohmann::json(nullptr);
  json["health"] = nullptr;
  if (status.health)
    json["health"] = {{"status", std::string(health_status_name(status.health->status))},
                      {"failing_streak", status.health->failing_streak},
                      {"last_check", format_utc(status.health->last_check_unix_ms)},
                      {"last_output", status.health->last_output}};
  json["versions"] = nlohmann::json::array();
  for (const auto& version : status.versions.versions)
    json["versions"].push_back(
        {{"dir", version.dir}, {"digest", version.digest}, {"reference", version.reference}});
  if (!status.check.empty()) json["check"] = status.check;
  if (!status.error.empty()) json["error"] = status.error;
  return json;
}

// Removes `flag` from args; whether it was there.
bool take_flag(std::vector<std::string>& args, std::string_view flag) {
  auto it = std::find(args.begin(), args.end(), flag);
  if (it == args.end()) return false;
  args.erase(it);
  return true;
}

}  // namespace

int run_list_command(const GlobalOptions& options, const std::vector<std::string>& given) {
  auto args = given;
  bool json = take_flag(args, "--json");
  bool check = take_flag(args, "--check");
  if (!args.empty()) {
    std::fprintf(stderr, "Usage: ctapp list [--json] [--check]\n");
    return 2;
  }
  AppDiscovery discovery = find_apps(options.paths.config_dirs);
  std::vector<AppStatus> statuses;
  for (const auto& source : discovery.apps) {
    statuses.push_back(status_of(options.paths, source.name, source));
    if (check) statuses.back().check = check_registry(options.paths, source, statuses.back().versions);
  }
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& status : statuses) list.push_back(to_json(status));
    std::printf("%s\n", dump_json(list, 2).c_str());
    return 0;
  }
  std::printf("%-20s %-10s %-14s %-8s %s\n", "NAME", "STATE", "VERSION", "PID", "IMAGE");
  for (const auto& status : statuses) {
    std::printf("%-20s %-10s %-14s %-8s %s\n", status.name.c_str(),
                status.error.empty() ? status.state.c_str() : "invalid",
                status.version.empty() ? "-" : status.version.c_str(),
                status.pid ? std::to_string(*status.pid).c_str() : "-",
                status.error.empty() ? status.image.c_str() : status.error.c_str());
    if (!status.check.empty()) std::printf("%-20s check: %s\n", "", status.check.c_str());
  }
  return 0;
}

int run_status_command(const GlobalOptions& options, const std::vector<std::string>& given) {
  auto args = given;
  bool json = take_flag(args, "--json");
  bool check = take_flag(args, "--check");
  if (args.size() != 1) {
    std::fprintf(stderr, "Usage: ctapp status NAME [--json] [--check]\n");
    return 2;
  }
  if (auto valid = check_app_name(args[0]); !valid) {
    log(LogLevel::kErr, "{}", valid.error().message);
    return 2;
  }
  auto source = find_app(options.paths.config_dirs, args[0]);
  AppStatus status = status_of(options.paths, args[0], source);
  if (check) status.check = check_registry(options.paths, source, status.versions);
  if (status.source.empty() && status.state == "inactive") {
    log(LogLevel::kErr, "no app '{}'", args[0]);
    return 1;
  }
  if (json) {
    std::printf("%s\n", dump_json(to_json(status), 2).c_str());
    return 0;
  }
  std::printf("%s\n  source:  %s\n  image:   %s\n  state:   %s\n", status.name.c_str(),
              status.source.empty() ? "(none)" : status.source.c_str(), status.image.c_str(),
              status.state.c_str());
  if (!status.version.empty()) std::printf("  version: %s\n", status.version.c_str());
  if (!status.image_digest.empty()) std::printf("  digest:  %s\n", status.image_digest.c_str());
  if (status.pid) std::printf("  pid:     %d\n", *status.pid);
  // Most recently used first: the first is what the next start runs.
  for (const auto& version : status.versions.versions)
    std::printf("  %s %s %s\n", &version == status.versions.current() ? "kept:   " : "        ",
                version.dir.c_str(), version.digest.c_str());
  for (const auto& address : status.addresses) std::printf("  address: %s\n", address.c_str());
  if (status.host_ids)
    std::printf("  ids:     %s\n", fmt::format("{}-{} on the machine (user namespace)", status.host_ids->start,
                                               status.host_ids->end() - 1).c_str());
  if (status.health) {
    const HealthReport& health = *status.health;
    std::string text(health_status_name(health.status));
    if (health.failing_streak > 0) text += fmt::format(", {} failed in a row", health.failing_streak);
    if (health.last_check_unix_ms > 0) text += ", last check " + format_utc(health.last_check_unix_ms);
    if (!health.last_output.empty()) text += ": " + health.last_output;
    std::printf("  health:  %s\n", text.c_str());
  }
  if (!status.check.empty()) std::printf("  check:   %s\n", status.check.c_str());
  if (!status.error.empty()) std::printf("  error:   %s\n", status.error.c_str());
  return 0;
}

}  // namespace ctapp
