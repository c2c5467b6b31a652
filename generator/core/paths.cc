// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/paths.h"

#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

namespace ctapp {

Paths Paths::from_environment(const std::string& root_override) {
  Paths paths;
  if (!root_override.empty()) {
    paths.root = root_override;
  } else if (const char* env_root = std::getenv("CTAPP_ROOT"); env_root && *env_root) {
    paths.root = env_root;
  }
  if (const char* config_path = std::getenv("CTAPP_CONFIG_PATH"); config_path) {
    std::string_view rest = config_path;
    while (!rest.empty()) {
      auto colon = rest.find(':');
      auto dir = rest.substr(0, colon);
      if (!dir.empty()) paths.config_dirs.emplace_back(dir);
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  } else {
    for (const char* dir : {"/etc/containers.d", "/run/containers.d", "/usr/lib/containers.d"})
      paths.config_dirs.push_back(paths.under_root(dir));
  }
  return paths;
}

std::filesystem::path Paths::under_root(const std::filesystem::path& absolute) const {
  if (root.empty() || root == "/") return absolute;
  return root / absolute.relative_path();
}

std::filesystem::path Paths::bundle_dir(std::string_view app, std::string_view version) const {
  return bundles_dir() / fmt::format("{}-{}", app, version);
}

std::string bundle_owner(std::string_view app, std::string_view version) {
  return fmt::format("app {}\nversion {}\n", app, version);
}

}  // namespace ctapp
