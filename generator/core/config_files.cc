// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/config_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <optional>
#include <system_error>

#include "core/value_checks.h"

namespace ctapp {
namespace {

constexpr std::string_view kSuffix = ".ctapp";
constexpr std::string_view kDropinSuffix = ".ctapp.d";

// A symlink to /dev/null or an empty file masks an app, as for systemd units.
// `entry` carries the file type from readdir, so this costs one readlink or
// one stat.
bool is_masked(const std::filesystem::directory_entry& entry) {
  std::error_code error;
  if (entry.is_symlink(error)) return std::filesystem::read_symlink(entry.path(), error) == "/dev/null";
  return entry.is_regular_file(error) && entry.file_size(error) == 0;
}

// NAME.ctapp.d/*.conf from the directories that have one; for one file name
// the first directory wins; ordered by file name.
std::vector<std::filesystem::path> collect_dropins(
    const std::vector<std::filesystem::path>& dropin_dirs) {
  std::map<std::string, std::filesystem::path> by_file_name;
  for (const auto& dropin_dir : dropin_dirs) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dropin_dir, error)) {
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

std::vector<std::filesystem::path> existing_dropin_dirs(
    const std::vector<std::filesystem::path>& dirs, const std::string& name) {
  std::vector<std::filesystem::path> found;
  for (const auto& dir : dirs) {
    std::error_code error;
    auto dropin_dir = dir / (name + ".ctapp.d");
    if (std::filesystem::is_directory(dropin_dir, error)) found.push_back(dropin_dir);
  }
  return found;
}

}  // namespace

AppDiscovery find_apps(const std::vector<std::filesystem::path>& dirs, EmptyFileCheck empty_check) {
  AppDiscovery discovery;
  struct MainFile {
    std::filesystem::path path;
    bool masked_if_empty = false;
  };
  std::map<std::string, std::optional<MainFile>> main_files;  // nullopt: masked
  std::map<std::string, std::vector<std::filesystem::path>> dropin_dirs;
  // One pass over each directory finds both the apps and their drop-in
  // directories: the generator runs at every boot, and each syscall counts.
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
      if (file_name.size() > kDropinSuffix.size() && file_name.ends_with(kDropinSuffix)) {
        std::error_code type_error;
        if (entry.is_directory(type_error))
          dropin_dirs[file_name.substr(0, file_name.size() - kDropinSuffix.size())].push_back(
              entry.path());
        continue;
      }
      if (file_name.size() <= kSuffix.size() || !file_name.ends_with(kSuffix)) continue;
      auto name = file_name.substr(0, file_name.size() - kSuffix.size());
      if (main_files.contains(name)) continue;
      std::error_code type_error;
      if (empty_check == EmptyFileCheck::kWhenRead && !entry.is_symlink(type_error) &&
          entry.is_regular_file(type_error)) {
        main_files.emplace(name, MainFile{entry.path(), true});
        continue;
      }
      main_files.emplace(name, is_masked(entry) ? std::nullopt : std::optional(MainFile{entry.path()}));
    }
  }
  for (auto& [name, file] : main_files)
    if (file)
      discovery.apps.push_back({name, file->path, collect_dropins(dropin_dirs[name]), file->masked_if_empty});
  return discovery;
}

std::optional<AppSource> find_app(const std::vector<std::filesystem::path>& dirs,
                                  const std::string& name) {
  if (!check_app_name(name)) return std::nullopt;
  for (const auto& dir : dirs) {
    auto file = dir / (name + std::string(kSuffix));
    std::error_code error;
    std::filesystem::directory_entry entry(file, error);
    if (!entry.is_symlink(error) && !entry.exists(error)) continue;
    if (is_masked(entry)) return std::nullopt;
    return AppSource{name, file, collect_dropins(existing_dropin_dirs(dirs, name))};
  }
  return std::nullopt;
}

Result<AppSource> app_source_for_file(const std::filesystem::path& file) {
  auto file_name = file.filename().string();
  if (file_name.size() <= kSuffix.size() || !file_name.ends_with(kSuffix))
    return fail("'{}': the file name must be NAME.ctapp", file.string());
  auto name = file_name.substr(0, file_name.size() - kSuffix.size());
  auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  return AppSource{name, file, collect_dropins(existing_dropin_dirs({dir}, name))};
}

}  // namespace ctapp
