// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/app_loader.h"

#include <fmt/format.h>

#include "core/app_config_parser.h"
#include "core/config_files.h"
#include "core/value_checks.h"

namespace ctapp {
namespace {

Result<LoadedApp> load_source(const Paths& paths, const AppSource& source) {
  auto config = parse_app(source);
  if (!config) {
    std::string message = fmt::format("app '{}' has errors; fix them and run 'systemctl daemon-reload':",
                                      source.name);
    for (const auto& diagnostic : config.error()) message += "\n" + diagnostic.format();
    return std::unexpected(Error{message});
  }
  auto layout = app_layout(paths, *config);
  if (!layout) return std::unexpected(layout.error());
  return LoadedApp{std::move(*config), std::move(*layout)};
}

}  // namespace

Result<LoadedApp> load_app(const Paths& paths, const std::string& name) {
  if (auto valid = check_app_name(name); !valid) return std::unexpected(valid.error());
  auto source = find_app(paths.config_dirs, name);
  if (!source) {
    std::string dirs;
    for (const auto& dir : paths.config_dirs) dirs += (dirs.empty() ? "" : ", ") + dir.string();
    return fail("no app '{}': there is no {}.ctapp in {} (or it is masked)", name, name, dirs);
  }
  return load_source(paths, *source);
}

Result<LoadedApp> load_app_file(const Paths& paths, const std::string& file) {
  auto source = app_source_for_file(file);
  if (!source) return std::unexpected(source.error());
  return load_source(paths, *source);
}

}  // namespace ctapp
