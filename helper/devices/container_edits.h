// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/app_config.h"
#include "core/result.h"

namespace ctapp {

// A device node resolved on the host: what config.json's linux.devices and
// the device cgroup need.
struct DeviceNode {
  std::string path;                // inside the container
  std::string host_path;
  char type = 'c';                 // 'c' or 'b'
  int64_t major = 0;
  int64_t minor = 0;
  uint32_t file_mode = 0666;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string permissions = "rwm"; // device cgroup access
};

struct EditMount {
  std::string source;
  std::string destination;
  std::string type = "bind";
  std::vector<std::string> options;
};

// What devices and credentials add to a bundle's config.json.
struct ContainerEdits {
  std::vector<DeviceNode> devices;
  std::vector<std::string> env;    // NAME=VALUE; replaces the image's NAME
  std::vector<EditMount> mounts;
  std::vector<uint32_t> additional_gids;

  void append(ContainerEdits other);
};

// The host device node at `host_path` (symlinks followed), to appear at
// `container_path`. Fails naming the path when it is missing or not a
// character or block device.
Result<DeviceNode> device_node_from_host(const std::string& host_path,
                                         const std::string& container_path,
                                         const std::string& permissions);

// [run] devices of `app`: host paths checked to be device nodes, CDI names
// resolved from the specs in `cdi_dirs` (their deviceNodes, env, mounts and
// additionalGIDs). Fails naming the entry.
Result<ContainerEdits> resolve_devices(const AppConfig& app,
                                       const std::vector<std::filesystem::path>& cdi_dirs);

// Adds `edits` to config.json: linux.devices (or, with a user namespace,
// where runc cannot mknod, bind mounts of the host nodes) and one device
// cgroup rule per node after the deny-all, so the container may use exactly
// those (runc adds its defaults: null, zero, full, tty, random, urandom,
// ptmx); env, mounts and additional groups.
void apply_container_edits(nlohmann::json& config, const ContainerEdits& edits);

}  // namespace ctapp
