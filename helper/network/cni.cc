// SPDX-License-Identifier: LGPL-2.1-or-later
#include "network/cni.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "core/atomic_file.h"
#include "process/process.h"

namespace ctapp {
namespace {

constexpr std::chrono::milliseconds kDefaultPluginTimeout{60000};

// How long one plugin may take; CTAPP_CNI_TIMEOUT_MS overrides it (tests).
std::chrono::milliseconds plugin_timeout() {
  if (const char* value = std::getenv("CTAPP_CNI_TIMEOUT_MS"); value && *value) {
    char* end = nullptr;
    long long ms = std::strtoll(value, &end, 10);
    if (end && *end == '\0' && ms > 0) return std::chrono::milliseconds(ms);
  }
  return kDefaultPluginTimeout;
}

std::filesystem::path find_plugin(const CniInvocation& invocation, const std::string& type) {
  for (const auto& dir : invocation.plugin_dirs)
    if (::access((dir / type).c_str(), X_OK) == 0) return dir / type;
  return {};
}

std::string plugin_path_env(const CniInvocation& invocation) {
  std::string path;
  for (const auto& dir : invocation.plugin_dirs) path += (path.empty() ? "" : ":") + dir.string();
  return path;
}

Result<nlohmann::json> invoke(const CniNetwork& network, const nlohmann::json& plugin,
                              const CniInvocation& invocation, const std::string& command,
                              const nlohmann::json& prev_result) {
  std::string type = plugin.value("type", "");
  auto binary = find_plugin(invocation, type);
  if (binary.empty())
    return fail("CNI plugin '{}' of network '{}' is not installed in {} (Debian: "
                "containernetworking-plugins)",
                type, network.name, plugin_path_env(invocation));
  nlohmann::json config = plugin;
  config["name"] = network.name;
  config["cniVersion"] = network.cni_version;
  if (!prev_result.is_null()) config["prevResult"] = prev_result;
  if (config.contains("capabilities") && config["capabilities"].value("portMappings", false)) {
    nlohmann::json mappings = nlohmann::json::array();
    for (const auto& port : invocation.ports) {
      nlohmann::json mapping = {{"hostPort", port.host_port},
                                {"containerPort", port.container_port},
                                {"protocol", port.protocol == Protocol::kUdp ? "udp" : "tcp"}};
      if (!port.host_ip.empty()) mapping["hostIP"] = port.host_ip;
      mappings.push_back(mapping);
    }
    config["runtimeConfig"]["portMappings"] = mappings;
  }
  if (!invocation.ipam_data_dir.empty() && config.contains("ipam") &&
      config["ipam"].value("type", "") == "host-local" && !config["ipam"].contains("dataDir"))
    config["ipam"]["dataDir"] = invocation.ipam_data_dir.string();
  std::vector<std::string> env = {
      "CNI_COMMAND=" + command,
      "CNI_CONTAINERID=" + invocation.container_id,
      "CNI_NETNS=" + invocation.netns.string(),
      "CNI_IFNAME=" + invocation.ifname,
      "CNI_PATH=" + plugin_path_env(invocation),
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  };
  auto output = run_process({binary.string()}, {.env = env,
                                                .capture_stdout = true,
                                                .stdin_text = config.dump(),
                                                .timeout = plugin_timeout()});
  if (!output)
    return fail("CNI plugin '{}' ({} for network '{}'): {}", type, command, network.name,
                output.error().message);
  auto result = output->stdout_text.empty() ? nlohmann::json()
                                            : nlohmann::json::parse(output->stdout_text, nullptr, false);
  if (output->exit_code != 0) {
    std::string message = result.is_object() ? result.value("msg", "") : output->stdout_text;
    if (result.is_object() && result.contains("details") && result["details"].is_string())
      message += ": " + result["details"].get<std::string>();
    return fail("CNI plugin '{}' ({} for network '{}') failed: {}", type, command, network.name,
                message.empty() ? "exit code " + std::to_string(output->exit_code) : message);
  }
  if (command == "ADD" && (result.is_discarded() || !result.is_object()))
    return fail("CNI plugin '{}' returned no result", type);
  return result.is_discarded() ? nlohmann::json() : result;
}

}  // namespace

std::vector<std::filesystem::path> default_cni_plugin_dirs() {
  const char* path = std::getenv("CNI_PATH");
  if (!path || !*path) return {"/usr/lib/cni", "/opt/cni/bin"};
  std::vector<std::filesystem::path> dirs;
  std::string_view rest = path;
  while (!rest.empty()) {
    auto colon = rest.find(':');
    if (colon != 0) dirs.emplace_back(std::string(rest.substr(0, colon)));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return dirs;
}

Result<CniNetwork> load_cni_network(const std::string& name,
                                    const std::vector<std::filesystem::path>& dirs) {
  for (const auto& dir : dirs) {
    auto file = dir / (name + ".conflist");
    std::error_code error;
    if (!std::filesystem::exists(file, error)) continue;
    auto text = read_file(file, 1 << 20);
    if (!text) return std::unexpected(text.error());
    auto json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("plugins") ||
        !json["plugins"].is_array() || json["plugins"].empty())
      return fail("'{}' is not a CNI conflist (it needs a non-empty \"plugins\" array)", file.string());
    return CniNetwork{json.value("name", name), json.value("cniVersion", "1.0.0"), json["plugins"], file};
  }
  std::string searched;
  for (const auto& dir : dirs) searched += (searched.empty() ? "" : ", ") + dir.string();
  return fail("no CNI network '{}': there is no {}.conflist in {}", name, name, searched);
}

Result<nlohmann::json> cni_add(const CniNetwork& network, const CniInvocation& invocation) {
  nlohmann::json result;
  size_t done = 0;
  for (const auto& plugin : network.plugins) {
    auto added = invoke(network, plugin, invocation, "ADD", result);
    if (!added) {
      CniNetwork partial = network;
      partial.plugins = nlohmann::json(std::vector<nlohmann::json>(network.plugins.begin(),
                                                                  network.plugins.begin() + static_cast<long>(done)));
      (void)cni_del(partial, invocation, result);
      return std::unexpected(added.error());
    }
    result = std::move(*added);
    ++done;
  }
  return result;
}

Status cni_del(const CniNetwork& network, const CniInvocation& invocation,
               const nlohmann::json& prev_result) {
  std::optional<Error> first_error;
  for (auto it = network.plugins.rbegin(); it != network.plugins.rend(); ++it) {
    auto deleted = invoke(network, *it, invocation, "DEL", prev_result);
    if (!deleted && !first_error) first_error = deleted.error();
  }
  if (first_error) return std::unexpected(*first_error);
  return {};
}

}  // namespace ctapp
