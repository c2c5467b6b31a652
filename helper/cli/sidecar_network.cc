// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/sidecar_network.h"

#include <fmt/format.h>

#include "cli/app_loader.h"
#include "cli/exec_command.h"
#include "runtime/app_layout.h"
#include "runtime/oci_runtime.h"

namespace ctapp {

Result<NetworkAttachment> attach_sidecar_network(const Paths& paths, const AppConfig& app,
                                                 const std::filesystem::path& runtime_dir) {
  const std::string& other = app.network.app;
  std::string joins = fmt::format("app '{}' joins the network of app '{}'", app.name, other);
  auto loaded = load_app(paths, other);
  if (!loaded) return fail("{}, which cannot be loaded: {}", joins, loaded.error().message);
  const AppConfig& config = loaded->config;
  switch (config.network.mode) {
    case NetworkMode::kHost:
      return fail("{}, but '{}' uses the machine's network ([network] mode host): there is no "
                  "namespace of its own to share; give '{}' mode \"bridge\" or \"none\", or give "
                  "'{}' mode \"host\" too",
                  joins, other, other, app.name);
    case NetworkMode::kApp:
      return fail("{}, which itself joins the network of app '{}': join '{}' directly ([network] "
                  "mode = \"app:{}\")",
                  joins, config.network.app, config.network.app, config.network.app);
    case NetworkMode::kNone:
    case NetworkMode::kBridge:
      break;
  }
  auto runtime = running_runtime(paths, other);
  if (!runtime) return std::unexpected(runtime.error());
  if (!*runtime) return fail("{}, which is not running: {}", joins, not_running_hint(paths, other));
  std::filesystem::path netns;
  if (config.network.mode == NetworkMode::kBridge) {
    netns = app_netns_path(paths, other);
    std::error_code error;
    if (!std::filesystem::exists(netns, error))
      return fail("{}, but its namespace '{}' is missing: restart app '{}'", joins, netns.string(),
                  other);
  } else {
    auto pid = (*runtime)->init_pid(other);
    if (!pid) return fail("{}, which is not running: {}", joins, not_running_hint(paths, other));
    netns = fmt::format("/proc/{}/ns/net", *pid);
  }
  auto attached = join_app_network(config, runtime_layout(paths, other).runtime, netns, runtime_dir);
  if (!attached) return std::unexpected(wrap(joins, attached.error()));
  return attached;
}

}  // namespace ctapp
