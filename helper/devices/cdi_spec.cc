// SPDX-License-Identifier: LGPL-2.1-or-later
#include "devices/cdi_spec.h"

#include "core/device_keys.h"
#include "core/value_checks.h"
#include "json/json_reader.h"
#include "yaml/yaml_reader.h"

namespace ctapp {
namespace {

using nlohmann::json;

constexpr size_t kMaxSpecSize = 4 << 20;
constexpr int kMaxDepth = 32;
// YAML aliases share nodes: a few lines can describe a tree of billions.
constexpr size_t kMaxNodes = 200000;

Status read_u32(const JsonView& view, std::string_view key, std::optional<uint32_t>& out) {
  auto value = view.optional_integer(key, 0, UINT32_MAX);
  if (!value) return std::unexpected(value.error());
  if (*value) out = static_cast<uint32_t>(**value);
  return {};
}

Status read_device_node(const JsonView& view, CdiDeviceNode& node) {
  auto path = view.string("path");
  if (!path) return std::unexpected(path.error());
  node.path = *path;
  if (auto status = check_absolute_path(node.path); !status)
    return fail("{}: {}", view.field_name("path"), status.error().message);
  auto host_path = view.optional_string("hostPath");
  if (!host_path) return std::unexpected(host_path.error());
  node.host_path = host_path->value_or("");
  if (!node.host_path.empty())
    if (auto status = check_absolute_path(node.host_path); !status)
      return fail("{}: {}", view.field_name("hostPath"), status.error().message);
  auto type = view.optional_string("type");
  if (!type) return std::unexpected(type.error());
  node.type = type->value_or("");
  if (!node.type.empty() && node.type != "c" && node.type != "b" && node.type != "u")
    return fail("{}: '{}' is not a device type: use 'c' or 'b'", view.field_name("type"), node.type);
  if (node.type == "u") node.type = "c";
  for (auto [key, field] : {std::pair{"major", &node.major}, std::pair{"minor", &node.minor}}) {
    auto value = view.optional_integer(key, 0, UINT32_MAX);
    if (!value) return std::unexpected(value.error());
    *field = *value;
  }
  auto permissions = view.optional_string("permissions");
  if (!permissions) return std::unexpected(permissions.error());
  node.permissions = permissions->value_or("");
  if (!node.permissions.empty())
    if (auto status = check_device_permissions(node.permissions); !status)
      return fail("{}: {}", view.field_name("permissions"), status.error().message);
  for (auto [key, field] : {std::pair{"fileMode", &node.file_mode}, std::pair{"uid", &node.uid},
                            std::pair{"gid", &node.gid}})
    if (auto read = read_u32(view, key, *field); !read) return read;
  return {};
}

Status read_mount(const JsonView& view, CdiMount& mount) {
  auto host_path = view.string("hostPath");
  if (!host_path) return std::unexpected(host_path.error());
  auto container_path = view.string("containerPath");
  if (!container_path) return std::unexpected(container_path.error());
  mount.host_path = *host_path;
  mount.container_path = *container_path;
  for (auto [key, path] : {std::pair{"hostPath", &mount.host_path},
                           std::pair{"containerPath", &mount.container_path}})
    if (auto status = check_absolute_path(*path); !status)
      return fail("{}: {}", view.field_name(key), status.error().message);
  auto type = view.optional_string("type");
  if (!type) return std::unexpected(type.error());
  mount.type = type->value_or("");
  auto options = view.strings("options");
  if (!options) return std::unexpected(options.error());
  mount.options = std::move(*options);
  return {};
}

Status read_edits(const JsonView& view, CdiEdits& edits) {
  if (auto object = view.expect_object(); !object) return object;
  for (const auto& [key, value] : view.raw().items()) {
    if (key == "env" || key == "deviceNodes" || key == "mounts" || key == "additionalGIDs") continue;
    if (!value.is_null()) edits.unsupported.push_back(key);
  }
  auto env = view.strings("env");
  if (!env) return std::unexpected(env.error());
  for (const auto& entry : *env)
    if (auto equals = entry.find('=');
        equals == std::string::npos || !check_env_name(entry.substr(0, equals)))
      return fail("{}: '{}' is not NAME=VALUE", view.field_name("env"), entry);
  edits.env = std::move(*env);
  auto nodes = view.optional_array("deviceNodes");
  if (!nodes) return std::unexpected(nodes.error());
  for (const auto& item : *nodes) {
    CdiDeviceNode node;
    if (auto read = read_device_node(item, node); !read) return read;
    edits.device_nodes.push_back(std::move(node));
  }
  auto mounts = view.optional_array("mounts");
  if (!mounts) return std::unexpected(mounts.error());
  for (const auto& item : *mounts) {
    CdiMount mount;
    if (auto read = read_mount(item, mount); !read) return read;
    edits.mounts.push_back(std::move(mount));
  }
  auto gids = view.optional_array("additionalGIDs");
  if (!gids) return std::unexpected(gids.error());
  for (const auto& item : *gids) {
    const json& gid = item.raw();
    if (!gid.is_number_unsigned() || gid.get<uint64_t>() > UINT32_MAX)
      return fail("{}: group ids must be numbers", view.field_name("additionalGIDs"));
    edits.additional_gids.push_back(static_cast<uint32_t>(gid.get<uint64_t>()));
  }
  return {};
}

}  // namespace

Result<CdiSpec> parse_cdi_spec(std::string_view text, const std::filesystem::path& file) {
  if (text.size() > kMaxSpecSize)
    return fail("'{}' is larger than {} bytes", file.string(), kMaxSpecSize);
  std::string what = "'" + file.string() + "'";
  Result<json> document = file.extension() == ".json" ? parse_json(text, what, {kMaxSpecSize, kMaxDepth})
                                                      : parse_yaml(text, what, {kMaxDepth, kMaxNodes});
  if (!document) return std::unexpected(document.error());
  JsonView spec_view(*document, "CDI spec '" + file.string() + "'");
  if (auto object = spec_view.expect_object(); !object) return std::unexpected(object.error());
  CdiSpec spec;
  spec.file = file;
  if (auto version = spec_view.string("cdiVersion"); !version) return std::unexpected(version.error());
  auto kind = spec_view.string("kind");
  if (!kind) return std::unexpected(kind.error());
  if (auto status = check_cdi_kind(*kind); !status)
    return std::unexpected(wrap(spec_view.context(), status.error()));
  spec.kind = *kind;
  if (auto edits = spec_view.optional_object("containerEdits"); !edits) {
    return std::unexpected(edits.error());
  } else if (*edits) {
    if (auto read = read_edits(**edits, spec.edits); !read) return std::unexpected(read.error());
  }
  auto devices = spec_view.array("devices");
  if (!devices) return std::unexpected(devices.error());
  for (const auto& item : *devices) {
    CdiDevice device;
    auto name = item.string("name");
    if (!name) return std::unexpected(name.error());
    if (auto status = check_cdi_name(spec.kind + "=" + *name); !status)
      return std::unexpected(wrap(spec_view.context(), status.error()));
    device.name = *name;
    auto edits = item.object("containerEdits");
    if (!edits) return std::unexpected(edits.error());
    if (auto read = read_edits(*edits, device.edits); !read) return std::unexpected(read.error());
    spec.devices.push_back(std::move(device));
  }
  return spec;
}

}  // namespace ctapp
