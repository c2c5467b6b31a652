// SPDX-License-Identifier: LGPL-2.1-or-later
#include "network/cni.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "core/atomic_file.h"
#include "json/json_reader.h"
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
  JsonView view(plugin, "'" + network.source.string() + "'");
  auto type = view.string("type");
  if (!type) return std::unexpected(type.error());
  auto binary = find_plugin(invocation, *type);
  if (binary.empty())
    return fail("CNI plugin '{}' of network '{}' is not installed in {} (Debian: "
                "containernetworking-plugins)",
                *type, network.name, plugin_path_env(invocation));
  nlohmann::json config = plugin;
  config["name"] = network.name;
  config["cniVersion"] = network.cni_version;
  if (!prev_result.is_null()) config["prevResult"] = prev_result;
  auto capabilities = view.optional_object("capabilities");
  if (!capabilities) return std::unexpected(capabilities.error());
  auto port_mappings = *capabilities ? (*capabilities)->optional_boolean("portMappings")
                                     : Result<std::optional<bool>>(std::nullopt);
  if (!port_mappings) return std::unexpected(port_mappings.error());
  if (port_mappings->value_or(false)) {
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
  auto ipam = view.optional_object("ipam");
  if (!ipam) return std::unexpected(ipam.error());
  if (!invocation.ipam_data_dir.empty() && *ipam) {
    auto ipam_type = (*ipam)->optional_string("type");
    if (!ipam_type) return std::unexpected(ipam_type.error());
    if (*ipam_type == "host-local" && !(*ipam)->has("dataDir"))
      config["ipam"]["dataDir"] = invocation.ipam_data_dir.string();
  }
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
                                                .stdin_text = dump_json(config),
                                                .timeout = plugin_timeout()});
  if (!output)
    return fail("CNI plugin '{}' ({} for network '{}'): {}", *type, command, network.name,
                output.error().message);
  std::string what = fmt::format("the output of CNI plugin '{}' ({})", *type, command);
  auto result = output->stdout_text.empty() ? Result<nlohmann::json>(nlohmann::json())
                                            : parse_json(output->stdout_text, what, {.max_size = 1 << 20});
  if (output->exit_code != 0) {
    // The spec's error object: {"code", "msg", "details"}; anything else is shown as it is.
    std::string message;
    if (result && result->is_object()) {
      JsonView error(*result, what);
      message = error.optional_string("msg").value_or(std::nullopt).value_or("");
      if (auto details = error.optional_string("details").value_or(std::nullopt); details && !details->empty())
        message += ": " + *details;
    } else if (!result) {
      message = output->stdout_text.substr(0, 512);
    }
    return fail("CNI plugin '{}' ({} for network '{}') failed: {}", *type, command, network.name,
                message.empty() ? "exit code " + std::to_string(output->exit_code) : message);
  }
  if (!result) return std::unexpected(result.error());
  if (command == "ADD" && !result->is_object()) return fail("CNI plugin '{}' returned no result", *type);
  return std::move(*result);
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
    auto json = read_json_file(file, {.max_size = 1 << 20});
    if (!json) return std::unexpected(json.error());
    JsonView conflist(*json, "CNI conflist '" + file.string() + "'");
    auto network_name = conflist.optional_string("name");
    if (!network_name) return std::unexpected(network_name.error());
    auto version = conflist.optional_string("cniVersion");
    if (!version) return std::unexpected(version.error());
    auto plugins = conflist.array("plugins");
    if (!plugins) return std::unexpected(plugins.error());
    if (plugins->empty()) return fail("{}: 'plugins' is empty", conflist.context());
    for (const auto& plugin : *plugins)
      if (auto object = plugin.expect_object(); !object) return std::unexpected(object.error());
    return CniNetwork{network_name->value_or(name), version->value_or("1.0.0"), (*json)["plugins"], file};
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

Result<std::vector<std::string>> cni_result_addresses(const nlohmann::json& result, const std::string& what) {
  std::vector<std::string> addresses;
  if (result.is_null()) return addresses;
  JsonView view(result, what);
  auto ips = view.optional_array("ips");
  if (!ips) return std::unexpected(ips.error());
  for (const auto& ip : *ips) {
    auto address = ip.string("address");
    if (!address) return std::unexpected(address.error());
    addresses.push_back(std::move(*address));
  }
  return addresses;
}

}  // namespace ctapp
