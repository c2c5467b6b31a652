// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// Container Device Interface specs (https://github.com/cncf-tags/
// container-device-interface, SPEC.md): the JSON or YAML files in /etc/cdi
// and /var/run/cdi that GPU and other device vendors install so that
// runtimes can give a container "vendor.com/class=name".
namespace ctapp {

struct CdiDeviceNode {
  std::string path;                  // inside the container
  std::string host_path;             // empty: the same as path
  std::string type;                  // "c", "b" or "" (from the host node)
  std::optional<int64_t> major;
  std::optional<int64_t> minor;
  std::string permissions;           // "" : rwm
  std::optional<uint32_t> file_mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
};

struct CdiMount {
  std::string host_path;
  std::string container_path;
  std::string type;                  // empty: bind
  std::vector<std::string> options;
};

// The containerEdits ctapp applies: deviceNodes, env, mounts,
// additionalGIDs. A spec with anything else (hooks, intelRdt, netDevices)
// names it in `unsupported`, and asking for such a device fails.
struct CdiEdits {
  std::vector<std::string> env;      // NAME=VALUE
  std::vector<CdiDeviceNode> device_nodes;
  std::vector<CdiMount> mounts;
  std::vector<uint32_t> additional_gids;
  std::vector<std::string> unsupported;  // e.g. "hooks"
};

struct CdiDevice {
  std::string name;                  // the part after '='
  CdiEdits edits;
};

struct CdiSpec {
  std::filesystem::path file;
  std::string kind;                  // "vendor.com/class"
  std::vector<CdiDevice> devices;
  CdiEdits edits;                    // applied when any device of the spec is used
};

// Parses one spec; `file` names it in errors and decides the format (*.json
// as JSON, *.yaml and *.yml as YAML). Fails, naming the file and field, on
// a malformed spec; never throws.
Result<CdiSpec> parse_cdi_spec(std::string_view text, const std::filesystem::path& file);

}  // namespace ctapp
