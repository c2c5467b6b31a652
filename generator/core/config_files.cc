// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/config_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>
#include <system_error>

#include "core/value_checks.h"

namespace ctapp {
namespace {

constexpr std::string_view kSuffix = ".ctapp";

bool is_masked(const std::filesystem::path& file) {
  std::error_code error;
  if (std::filesystem::is_symlink(file, error) &&
      std::filesystem::read_symlink(file, error) == "/dev/null")
    return true;
  return std::filesystem::is_regular_file(file, error) && std::filesystem::file_size(file, error) == 0;
}

std::vector<std::filesystem::path> find_dropins(const std::vector<std::filesystem::path>& dirs,
                                                const std::string& name) {
  std::map<std::string, std::filesystem::path> by_file_name;
  for (const auto& dir : dirs) {
    std::error_code error;
    for (const auto& entry :
         std::filesystem::directory_iterator(dir / (name + ".ctapp.d"), error)) {
      auto file_name = entry.path().filename().string();
      if (!file_name.ends_with(".conf") || by_file_name.contains(file_name)) continue;
      std::error_code type_error;
      if (!entry.is_regular_file(type_error)) continue;
      by_file_name.emplace(file_name, entry.path());
    }
  }
  std::vector<std::filesystem::path> dropins;
  for (auto& [file_name, path] : by_file_name) dropins.push_back(path);
  return dropins;
}

}  // namespace

AppDiscovery find_apps(const std::vector<std::filesystem::path>& dirs) {
  AppDiscovery discovery;
  std::map<std::string, std::filesystem::path> main_files;
  std::set<std::string> seen;
  for (const auto& dir : dirs) {
    std::error_code error;
    std::filesystem::directory_iterator entries(dir, error);
    if (error) {
      if (error != std::errc::no_such_file_or_directory)
        discovery.problems.push_back({dir, 0, 0, "cannot read directory: " + error.message()});
      continue;
    }
    for (const auto& entry : entries) {
      auto file_name = entry.path().filename().string();
      if (file_name.size() <= kSuffix.size() || !file_name.ends_with(kSuffix)) continue;
      auto name = file_name.substr(0, file_name.size() - kSuffix.size());
      if (!seen.insert(name).second) continue;
      if (!is_masked(entry.path())) main_files.emplace(name, entry.path());
    }
  }
  for (auto& [name, path] : main_files)
    discovery.apps.push_back({name, path, find_dropins(dirs, name)});
  return discovery;
}

std::optional<AppSource> find_app(const std::vector<std::filesystem::path>& dirs,
                                  const std::string& name) {
  if (!check_app_name(name)) return std::nullopt;
  for (const auto& dir : dirs) {
    auto file = dir / (name + std::string(kSuffix));
    std::error_code error;
    if (!std::filesystem::exists(std::filesystem::symlink_status(file, error))) continue;
    if (is_masked(file)) return std::nullopt;
    return AppSource{name, file, find_dropins(dirs, name)};
  }
  return std::nullopt;
}

Result<AppSource> app_source_for_file(const std::filesystem::path& file) {
  auto file_name = file.filename().string();
  if (file_name.size() <= kSuffix.size() || !file_name.ends_with(kSuffix))
    return fail("'{}': the file name must be NAME.ctapp", file.string());
  auto name = file_name.substr(0, file_name.size() - kSuffix.size());
  auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  return AppSource{name, file, find_dropins({dir}, name)};
}

}  // namespace ctapp
