// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/kube_command.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli/app_loader.h"
#include "core/app_versions.h"
#include "core/log.h"
#include "kube/kube_pod.h"
#include "kube/kube_yaml.h"

namespace ctapp {
namespace {

constexpr const char* kUsage = "Usage: ctapp kube generate [--deployment] NAME...|FILE.ctapp...\n";

bool is_file_argument(const std::string& arg) {
  return arg.find('/') != std::string::npos || arg.ends_with(".ctapp");
}

Result<AppConfig> load(const Paths& paths, const std::string& arg) {
  auto loaded = is_file_argument(arg) ? load_app_file(paths, arg) : load_app(paths, arg);
  if (!loaded) return std::unexpected(loaded.error());
  return std::move(loaded->config);
}

bool has_app(const std::vector<KubeApp>& apps, const std::string& name) {
  return std::any_of(apps.begin(), apps.end(),
                     [&](const KubeApp& app) { return app.config.name == name; });
}

KubeApp kube_app(const Paths& paths, AppConfig config) {
  // A missing or unreadable record only means no digest is pinned; the
  // image's comment says so.
  AppVersions versions = read_app_versions(paths, config.name).value_or(AppVersions{});
  KubeImage image = kube_image(config, versions);
  return {std::move(config), std::move(image)};
}

// Apps given with network mode "app:X" share X's pod: X is loaded too when
// it was not given, from beside the app's file or by name.
void add_network_owners(const Paths& paths, std::vector<KubeApp>& apps) {
  for (size_t i = 0; i < apps.size() && apps.size() < 256; ++i) {
    const AppConfig& app = apps[i].config;
    if (app.network.mode != NetworkMode::kApp || has_app(apps, app.network.app)) continue;
    std::string name = app.network.app;
    auto beside = app.source_path.parent_path() / (name + ".ctapp");
    std::error_code ignored;
    auto owner = std::filesystem::is_regular_file(beside, ignored) ? load(paths, beside.string())
                                                                   : load(paths, name);
    if (owner) apps.push_back(kube_app(paths, std::move(*owner)));
  }
}

}  // namespace

int run_kube_command(const GlobalOptions& options, const std::vector<std::string>& given) {
  if (given.empty() || given[0] != "generate") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  KubeOptions kube;
  std::vector<std::string> names;
  for (size_t i = 1; i < given.size(); ++i) {
    if (given[i] == "--deployment")
      kube.deployment = true;
    else if (given[i].starts_with("-")) {
      log(LogLevel::kErr, "kube generate: unknown option '{}'", given[i]);
      std::fputs(kUsage, stderr);
      return 2;
    } else
      names.push_back(given[i]);
  }
  if (names.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::vector<KubeApp> apps;
  for (const auto& name : names) {
    auto config = load(options.paths, name);
    if (!config) {
      log(LogLevel::kErr, "{}", config.error().message);
      return 1;
    }
    if (has_app(apps, config->name)) continue;
    apps.push_back(kube_app(options.paths, std::move(*config)));
  }
  add_network_owners(options.paths, apps);
  KubeOutput output = kube_documents(apps, kube);
  auto yaml = kube_yaml(output.documents);
  if (!yaml) {
    log(LogLevel::kErr, "kube generate: {}", yaml.error().message);
    return 1;
  }
  std::fputs(yaml->c_str(), stdout);
  for (const auto& line : output.unexpressed) log(LogLevel::kWarning, "cannot express: {}", line);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace ctapp
