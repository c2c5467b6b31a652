// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/app_config.h"
#include "core/paths.h"
#include "core/result.h"

namespace ctapp {

struct BindFile {
  std::filesystem::path source;  // on the machine
  std::string target;            // in the container
};

// What an app's network gives its container.
struct NetworkAttachment {
  std::filesystem::path netns;          // bridge: the namespace to join; empty otherwise
  std::vector<std::string> addresses;   // bridge: "10.229.0.5/16", ...
  std::vector<BindFile> files;          // /etc/hosts, /etc/resolv.conf, /etc/hostname
  std::string hostname;                 // the name in /etc/hostname
};

// Sets up the app's network per its mode: host needs nothing but the files;
// none gets a private namespace with loopback only (runc creates it);
// bridge gets a namespace at ROOT/run/netns/ctapp-NAME attached through the
// CNI plugins of its network (default "ctapp", ctapp's own conflist), with
// `publish` as portmap's portMappings. The CNI result is recorded in
// `runtime_dir`/network.json for status and for detach.
Result<NetworkAttachment> attach_network(const Paths& paths, const AppConfig& app,
                                         const std::filesystem::path& runtime_dir);

// For an app in [network] mode "app:OTHER" (a sidecar): no namespace and no
// CNI of its own; `netns` is OTHER's. The files are those of a pod member:
// OTHER's hostname, an /etc/hosts with OTHER's addresses (read from OTHER's
// record in `other_runtime_dir`), OTHER's resolvers. Written to `runtime_dir`.
Result<NetworkAttachment> join_app_network(const AppConfig& other,
                                           const std::filesystem::path& other_runtime_dir,
                                           const std::filesystem::path& netns,
                                           const std::filesystem::path& runtime_dir);

// Where attach_network pins the namespace of a bridge app NAME:
// ROOT/run/netns/ctapp-NAME.
std::filesystem::path app_netns_path(const Paths& paths, const std::string& app);

// The hostname the container of `app` gets: [run] hostname, else its name.
std::string app_hostname(const AppConfig& app);

// Undoes attach_network from what it recorded: CNI DEL in reverse order,
// then the namespace is removed. Succeeds when there is nothing to undo, and
// also after a crash that left only the namespace behind.
Status detach_network(const Paths& paths, const std::string& app,
                      const std::filesystem::path& runtime_dir);

// Where conflists are looked up: ROOT/etc/cni/net.d, then ctapp's own
// ($CTAPP_CNI_SHIPPED_DIR for a build tree).
std::vector<std::filesystem::path> cni_config_dirs(const Paths& paths);

}  // namespace ctapp
