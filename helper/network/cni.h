// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/app_config.h"
#include "core/result.h"

namespace ctapp {

// A CNI network configuration list (a .conflist).
struct CniNetwork {
  std::string name;
  std::string cni_version;
  nlohmann::json plugins;        // array of plugin configurations
  std::filesystem::path source;  // the file it came from
};

// Finds the conflist named `name`: /etc/cni/net.d/NAME.conflist (under the
// root prefix) first, then ctapp's own in `shipped_dir`.
Result<CniNetwork> load_cni_network(const std::string& name,
                                    const std::vector<std::filesystem::path>& dirs);

// $CNI_PATH if set, else Debian's /usr/lib/cni and the usual /opt/cni/bin.
std::vector<std::filesystem::path> default_cni_plugin_dirs();

// Each plugin call may take at most 60 s (CTAPP_CNI_TIMEOUT_MS overrides it);
// a plugin that does not finish by then is killed with its process group
// and the ADD or DEL fails saying so.
struct CniInvocation {
  std::string container_id;
  std::filesystem::path netns;
  std::string ifname = "eth0";
  // Where plugins are looked up: $CNI_PATH (colon-separated) if set.
  std::vector<std::filesystem::path> plugin_dirs = default_cni_plugin_dirs();
  std::vector<PublishedPort> ports;  // runtimeConfig.portMappings
  std::filesystem::path ipam_data_dir;  // host-local's dataDir, if not the default
};

// ADD through every plugin in order, each getting the previous result as
// prevResult (CNI spec 1.0); returns the final result. On failure, the
// plugins that succeeded are deleted again.
Result<nlohmann::json> cni_add(const CniNetwork& network, const CniInvocation& invocation);

// DEL in reverse order with `prev_result` (may be null); plugins are asked
// to delete even if ADD never completed, and their "already gone" is fine.
Status cni_del(const CniNetwork& network, const CniInvocation& invocation,
               const nlohmann::json& prev_result);

// The "address" of every entry of a CNI result's "ips" (CIDR notation);
// fails naming `what` and the field when the result is malformed.
Result<std::vector<std::string>> cni_result_addresses(const nlohmann::json& result, const std::string& what);

}  // namespace ctapp
