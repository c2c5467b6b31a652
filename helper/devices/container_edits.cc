// SPDX-License-Identifier: LGPL-2.1-or-later
#include "devices/container_edits.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>

#include "devices/cdi_registry.h"

namespace ctapp {
namespace {

using nlohmann::json;

std::string file_kind(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a device";
}

// One CDI deviceNode: the host node decides type and numbers unless the
// spec gives them (a node that exists only inside, made by mknod).
Result<DeviceNode> cdi_device_node(const CdiDeviceNode& spec_node) {
  std::string host_path = spec_node.host_path.empty() ? spec_node.path : spec_node.host_path;
  std::string permissions = spec_node.permissions.empty() ? "rwm" : spec_node.permissions;
  DeviceNode node;
  if (spec_node.type.empty() || !spec_node.major || !spec_node.minor) {
    auto from_host = device_node_from_host(host_path, spec_node.path, permissions);
    if (!from_host) return from_host;
    node = std::move(*from_host);
  } else {
    node.path = spec_node.path;
    node.host_path = host_path;
    node.type = spec_node.type[0];
    node.major = *spec_node.major;
    node.minor = *spec_node.minor;
    node.permissions = permissions;
  }
  if (spec_node.file_mode) node.file_mode = *spec_node.file_mode & 07777;
  if (spec_node.uid) node.uid = *spec_node.uid;
  if (spec_node.gid) node.gid = *spec_node.gid;
  return node;
}

Status add_cdi_edits(const CdiEdits& cdi, ContainerEdits& edits) {
  for (const auto& spec_node : cdi.device_nodes) {
    auto node = cdi_device_node(spec_node);
    if (!node) return std::unexpected(node.error());
    edits.devices.push_back(std::move(*node));
  }
  edits.env.insert(edits.env.end(), cdi.env.begin(), cdi.env.end());
  for (const auto& mount : cdi.mounts) {
    EditMount edit{mount.host_path, mount.container_path, mount.type.empty() ? "bind" : mount.type,
                   mount.options};
    bool bind = edit.type == "bind";
    bool has_bind_option = std::any_of(edit.options.begin(), edit.options.end(),
                                       [](const auto& o) { return o == "bind" || o == "rbind"; });
    if (bind && !has_bind_option) edit.options.insert(edit.options.begin(), "bind");
    edits.mounts.push_back(std::move(edit));
  }
  edits.additional_gids.insert(edits.additional_gids.end(), cdi.additional_gids.begin(),
                               cdi.additional_gids.end());
  return {};
}

bool has_user_namespace(const json& config) {
  const json* linux = config.contains("linux") ? &config["linux"] : nullptr;
  if (!linux || !linux->contains("namespaces")) return false;
  return std::any_of((*linux)["namespaces"].begin(), (*linux)["namespaces"].end(),
                     [](const json& ns) {
                       return ns.is_object() && ns.contains("type") && ns["type"] == "user";
                     });
}

}  // namespace

void ContainerEdits::append(ContainerEdits other) {
  for (auto& device : other.devices) devices.push_back(std::move(device));
  for (auto& entry : other.env) env.push_back(std::move(entry));
  for (auto& mount : other.mounts) mounts.push_back(std::move(mount));
  additional_gids.insert(additional_gids.end(), other.additional_gids.begin(),
                         other.additional_gids.end());
}

Result<DeviceNode> device_node_from_host(const std::string& host_path,
                                         const std::string& container_path,
                                         const std::string& permissions) {
  struct stat st;
  if (::stat(host_path.c_str(), &st) < 0)
    return fail("device '{}': {}", host_path, errno_text(errno));
  if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
    return fail("device '{}' is {}: name a character or block device node such as /dev/fuse",
                host_path, file_kind(st.st_mode));
  DeviceNode node;
  node.path = container_path.empty() ? host_path : container_path;
  node.host_path = host_path;
  node.type = S_ISCHR(st.st_mode) ? 'c' : 'b';
  node.major = major(st.st_rdev);
  node.minor = minor(st.st_rdev);
  node.file_mode = st.st_mode & 07777;
  node.uid = st.st_uid;
  node.gid = st.st_gid;
  node.permissions = permissions;
  return node;
}

Result<ContainerEdits> resolve_devices(const AppConfig& app,
                                       const std::vector<std::filesystem::path>& cdi_dirs) {
  ContainerEdits edits;
  std::optional<CdiRegistry> registry;
  std::vector<const CdiSpec*> applied_specs;
  for (const auto& request : app.run.devices) {
    if (request.cdi_name.empty()) {
      auto node = device_node_from_host(request.host_path, request.container_path,
                                        request.permissions);
      if (!node) return std::unexpected(wrap(fmt::format("app '{}'", app.name), node.error()));
      edits.devices.push_back(std::move(*node));
      continue;
    }
    if (!registry) registry = CdiRegistry::load(cdi_dirs);
    auto found = registry->find(request.cdi_name);
    if (!found) return std::unexpected(wrap(fmt::format("app '{}'", app.name), found.error()));
    // The spec-wide edits once, whichever of its devices come first.
    if (std::find(applied_specs.begin(), applied_specs.end(), found->spec) == applied_specs.end()) {
      applied_specs.push_back(found->spec);
      if (auto added = add_cdi_edits(found->spec->edits, edits); !added)
        return std::unexpected(wrap(fmt::format("app '{}': CDI device '{}'", app.name,
                                                request.cdi_name),
                                    added.error()));
    }
    if (auto added = add_cdi_edits(found->device->edits, edits); !added)
      return std::unexpected(
          wrap(fmt::format("app '{}': CDI device '{}'", app.name, request.cdi_name), added.error()));
  }
  // runc refuses two nodes at one path with a message that names neither
  // entry; say which.
  for (size_t i = 0; i < edits.devices.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (edits.devices[i].path == edits.devices[j].path)
        return fail("app '{}': two devices appear at '{}' ('{}' and '{}'): give one of them "
                    "another container path ('HOST:CONTAINER')",
                    app.name, edits.devices[i].path, edits.devices[j].host_path,
                    edits.devices[i].host_path);
  return edits;
}

void apply_container_edits(json& config, const ContainerEdits& edits) {
  json& linux = config["linux"];
  bool user_namespace = has_user_namespace(config);
  for (const auto& node : edits.devices) {
    std::string type(1, node.type);
    if (user_namespace) {
      // runc cannot mknod in a user namespace; it would bind the host node
      // at the container path, which is wrong when the two differ.
      config["mounts"].push_back({{"destination", node.path},
                                  {"type", "bind"},
                                  {"source", node.host_path},
                                  {"options", {"bind", "nosuid", "noexec"}}});
    } else {
      linux["devices"].push_back({{"path", node.path},
                                  {"type", type},
                                  {"major", node.major},
                                  {"minor", node.minor},
                                  {"fileMode", node.file_mode},
                                  {"uid", node.uid},
                                  {"gid", node.gid}});
    }
    linux["resources"]["devices"].push_back({{"allow", true},
                                             {"type", type},
                                             {"major", node.major},
                                             {"minor", node.minor},
                                             {"access", node.permissions}});
  }
  json& env = config["process"]["env"];
  for (const auto& entry : edits.env) {
    std::string prefix = entry.substr(0, entry.find('=') + 1);
    auto same = std::find_if(env.begin(), env.end(), [&](const json& existing) {
      return existing.is_string() && existing.get_ref<const std::string&>().starts_with(prefix);
    });
    if (same != env.end()) *same = entry;
    else env.push_back(entry);
  }
  for (const auto& mount : edits.mounts)
    config["mounts"].push_back({{"destination", mount.destination},
                                {"type", mount.type},
                                {"source", mount.source},
                                {"options", mount.options}});
  json& user = config["process"]["user"];
  for (uint32_t gid : edits.additional_gids) {
    if (!user.contains("additionalGids")) user["additionalGids"] = json::array();
    if (std::find(user["additionalGids"].begin(), user["additionalGids"].end(), gid) ==
        user["additionalGids"].end())
      user["additionalGids"].push_back(gid);
  }
}

}  // namespace ctapp
