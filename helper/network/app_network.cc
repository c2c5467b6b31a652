// SPDX-License-Identifier: LGPL-2.1-or-later
#include "network/app_network.h"

#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "json/json_reader.h"

#include "core/atomic_file.h"
#include "core/text_split.h"
#include "network/cni.h"
#include "network/netns.h"

namespace ctapp {
namespace {

constexpr const char* kDefaultNetwork = "ctapp";


CniInvocation invocation_for(const Paths& paths, const std::string& app) {
  CniInvocation invocation;
  invocation.container_id = "ctapp-" + app;
  invocation.netns = app_netns_path(paths, app);
  if (paths.root != "/" && !paths.root.empty())
    invocation.ipam_data_dir = paths.under_root("/var/lib/cni/networks");
  return invocation;
}

// The machine's resolv.conf, unless it only names a local stub resolver
// (127.0.0.53 of systemd-resolved), which a container on a bridge cannot
// reach: then resolved's list of real upstream servers.
std::filesystem::path resolv_conf_for_bridge() {
  auto text = read_file("/etc/resolv.conf", 1 << 16).value_or("");
  bool only_local = true, any = false;
  for (std::string_view line : split(text, '\n')) {
    if (!line.starts_with("nameserver")) continue;
    any = true;
    if (line.find(" 127.") == std::string_view::npos && line.find(" ::1") == std::string_view::npos) only_local = false;
  }
  std::error_code error;
  if (any && only_local && std::filesystem::exists("/run/systemd/resolve/resolv.conf", error))
    return "/run/systemd/resolve/resolv.conf";
  return "/etc/resolv.conf";
}


Result<std::vector<BindFile>> write_files(const AppConfig& app, const std::filesystem::path& dir,
                                          const std::vector<std::string>& addresses) {
  std::vector<BindFile> files;
  std::string hostname = app_hostname(app);
  // A file of the app's own, in its runtime directory, bound over the image's.
  auto own_file = [&](const std::string& name, const std::string& text) -> Status {
    if (auto written = write_file_atomic(dir / name, text, {.durable = false}); !written) return written;
    files.push_back({dir / name, "/etc/" + name});
    return {};
  };
  auto machine_has = [](const std::filesystem::path& file) {
    std::error_code error;
    return std::filesystem::exists(file, error);  // follows a symlink, e.g. to resolved's stub file
  };
  std::string hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  if (addresses.empty()) hosts += "127.0.1.1\t" + hostname + "\n";
  for (const auto& address : addresses) hosts += address.substr(0, address.find('/')) + "\t" + hostname + "\n";
  // The machine's network, so the machine's names, if it has a hosts file.
  bool machine_hosts = app.network.mode == NetworkMode::kHost && machine_has("/etc/hosts");
  if (machine_hosts)
    files.push_back({"/etc/hosts", "/etc/hosts"});
  else if (auto written = own_file("hosts", hosts); !written)
    return std::unexpected(written.error());
  // Resolvers: the machine's on host and bridge; none (an empty file) with
  // mode none or when the machine has no resolv.conf at all.
  std::filesystem::path resolv_conf;
  if (app.network.mode == NetworkMode::kHost) resolv_conf = "/etc/resolv.conf";
  if (app.network.mode == NetworkMode::kBridge) resolv_conf = resolv_conf_for_bridge();
  if (!resolv_conf.empty() && machine_has(resolv_conf))
    files.push_back({resolv_conf, "/etc/resolv.conf"});
  else if (auto written = own_file("resolv.conf", ""); !written)
    return std::unexpected(written.error());
  if (auto written = own_file("hostname", hostname + "\n"); !written) return std::unexpected(written.error());
  return files;
}

}  // namespace

std::filesystem::path app_netns_path(const Paths& paths, const std::string& app) {
  return paths.under_root("/run/netns") / ("ctapp-" + app);
}

std::string app_hostname(const AppConfig& app) {
  return app.run.hostname.empty() ? app.name : app.run.hostname;
}

std::vector<std::filesystem::path> cni_config_dirs(const Paths& paths) {
  std::vector<std::filesystem::path> dirs = {paths.under_root("/etc/cni/net.d")};
  if (const char* shipped = std::getenv("CTAPP_CNI_SHIPPED_DIR"); shipped && *shipped)
    dirs.emplace_back(shipped);
  else
    dirs.emplace_back(CTAPP_CNI_DIR);
  return dirs;
}

Result<NetworkAttachment> attach_network(const Paths& paths, const AppConfig& app,
                                         const std::filesystem::path& runtime_dir) {
  if (app.network.mode == NetworkMode::kApp)
    return fail("app '{}' joins the network of app '{}': it has no network of its own to attach",
                app.name, app.network.app);
  NetworkAttachment attachment;
  std::error_code error;
  std::filesystem::create_directories(runtime_dir, error);
  if (error) return fail("create '{}': {}", runtime_dir.string(), error.message());
  if (app.network.mode == NetworkMode::kBridge) {
    std::string name = app.network.network.empty() ? kDefaultNetwork : app.network.network;
    auto network = load_cni_network(name, cni_config_dirs(paths));
    if (!network) return std::unexpected(network.error());
    CniInvocation invocation = invocation_for(paths, app.name);
    invocation.ports = app.network.publish;
    if (auto created = create_netns(invocation.netns); !created) return std::unexpected(created.error());
    // Recorded before ADD, so that a crash in between is still undone.
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& port : app.network.publish)
      ports.push_back({{"host_ip", port.host_ip}, {"host_port", port.host_port},
                       {"container_port", port.container_port},
                       {"protocol", port.protocol == Protocol::kUdp ? "udp" : "tcp"}});
    // DEL needs the same port mappings as ADD (portmap removes its rules by
    // them), and the .ctapp may have changed by the time the app stops.
    nlohmann::json record = {{"network", name}, {"netns", invocation.netns.string()},
                             {"ports", ports}, {"result", nullptr}};
    auto record_file = runtime_dir / "network.json";
    if (auto written = write_file_atomic(record_file, dump_json(record, 2), {.durable = false}); !written)
      return std::unexpected(written.error());
    auto result = cni_add(*network, invocation);
    if (!result) {
      (void)remove_netns(invocation.netns);
      std::filesystem::remove(record_file, error);
      return std::unexpected(result.error());
    }
    record["result"] = *result;
    if (auto written = write_file_atomic(record_file, dump_json(record, 2), {.durable = false}); !written)
      return std::unexpected(written.error());
    attachment.netns = invocation.netns;
    auto addresses = cni_result_addresses(*result, "the result of CNI network '" + name + "'");
    if (!addresses) {
      (void)detach_network(paths, app.name, runtime_dir);
      return std::unexpected(addresses.error());
    }
    attachment.addresses = std::move(*addresses);
  }
  auto files = write_files(app, runtime_dir, attachment.addresses);
  if (!files) return std::unexpected(files.error());
  attachment.files = std::move(*files);
  attachment.hostname = app_hostname(app);
  return attachment;
}

Result<NetworkAttachment> join_app_network(const AppConfig& other,
                                           const std::filesystem::path& other_runtime_dir,
                                           const std::filesystem::path& netns,
                                           const std::filesystem::path& runtime_dir) {
  NetworkAttachment attachment;
  std::error_code error;
  std::filesystem::create_directories(runtime_dir, error);
  if (error) return fail("create '{}': {}", runtime_dir.string(), error.message());
  attachment.netns = netns;
  if (other.network.mode == NetworkMode::kBridge) {
    auto record_file = other_runtime_dir / "network.json";
    auto record = read_json_file(record_file, {.max_size = 1 << 20});
    if (!record) return fail("app '{}': {}", other.name, record.error().message);
    if (!record->is_object() || !record->contains("result"))
      return fail("app '{}': '{}' has no CNI result: restart app '{}'", other.name,
                  record_file.string(), other.name);
    auto addresses = cni_result_addresses((*record)["result"], "'" + record_file.string() + "'");
    if (!addresses) return std::unexpected(addresses.error());
    attachment.addresses = std::move(*addresses);
  }
  auto files = write_files(other, runtime_dir, attachment.addresses);
  if (!files) return std::unexpected(files.error());
  attachment.files = std::move(*files);
  attachment.hostname = app_hostname(other);
  return attachment;
}

Status detach_network(const Paths& paths, const std::string& app,
                      const std::filesystem::path& runtime_dir) {
  auto record_file = runtime_dir / "network.json";
  auto netns = app_netns_path(paths, app);
  std::error_code error;
  bool recorded = std::filesystem::exists(record_file, error);
  if (!recorded && !std::filesystem::exists(netns, error)) return {};
  std::optional<Error> first_error;
  // A damaged record must not stop the clean-up: DEL then runs with what
  // could be read (the plugins accept a missing prevResult).
  nlohmann::json record = nlohmann::json::object();
  if (recorded)
    if (auto parsed = read_json_file(record_file, {.max_size = 1 << 20}); parsed && parsed->is_object())
      record = std::move(*parsed);
  JsonView view(record, "'" + record_file.string() + "'");
  std::string name = view.optional_string("network").value_or(std::nullopt).value_or(kDefaultNetwork);
  auto network = load_cni_network(name, cni_config_dirs(paths));
  if (network) {
    nlohmann::json previous = record.contains("result") ? record["result"] : nlohmann::json();
    CniInvocation invocation = invocation_for(paths, app);
    for (const auto& port : view.optional_array("ports").value_or(std::vector<JsonView>())) {
      auto host_ip = port.optional_string("host_ip");
      auto host_port = port.integer("host_port", 0, 65535);
      auto container_port = port.integer("container_port", 0, 65535);
      auto protocol = port.optional_string("protocol");
      if (!host_ip || !host_port || !container_port || !protocol) continue;
      invocation.ports.push_back({host_ip->value_or(""), static_cast<uint16_t>(*host_port),
                                  static_cast<uint16_t>(*container_port),
                                  *protocol == "udp" ? Protocol::kUdp : Protocol::kTcp});
    }
    if (auto deleted = cni_del(*network, invocation, previous); !deleted)
      first_error = deleted.error();
  } else {
    first_error = network.error();
  }
  if (auto removed = remove_netns(netns); !removed && !first_error) first_error = removed.error();
  std::filesystem::remove(record_file, error);
  if (first_error) return std::unexpected(*first_error);
  return {};
}

}  // namespace ctapp
