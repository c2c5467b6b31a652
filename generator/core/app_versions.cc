// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/app_versions.h"

#include <sys/stat.h>

#include <cerrno>

#include <fmt/format.h>

#include "core/atomic_file.h"

namespace ctapp {
namespace {

constexpr size_t kMaxRecordSize = 1 << 20;

bool is_hex_digest(std::string_view digest) {
  if (!digest.starts_with("sha256:") || digest.size() != 7 + 64) return false;
  for (char c : digest.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// A directory name must stay one entry of ROOT/opt/containers.
bool is_plain_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         !name.starts_with('.');
}

}  // namespace

const AppVersion* AppVersions::latest_for(std::string_view reference) const {
  for (const auto& version : versions)
    if (version.reference == reference) return &version;
  return nullptr;
}

void AppVersions::make_current(const AppVersion& version) {
  std::erase_if(versions, [&](const AppVersion& other) { return other.dir == version.dir; });
  versions.insert(versions.begin(), version);
}

std::filesystem::path app_versions_file(const Paths& paths, std::string_view app) {
  return paths.versions_dir() / std::string(app);
}

std::string version_dir_name(std::string_view app, std::string_view version, std::string_view digest,
                             unsigned id_offset) {
  std::string_view hex = digest.starts_with("sha256:") ? digest.substr(7, 12) : digest.substr(0, 12);
  std::string name = fmt::format("{}-{}", app, version);
  // A digest-only reference already names the digest.
  if (version != hex) name += fmt::format("-{}", hex);
  if (id_offset != 0) name += fmt::format("-u{}", id_offset);
  return name;
}

Result<AppVersions> parse_app_versions(std::string_view text, std::string_view origin) {
  AppVersions record;
  int line_number = 0;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (line.empty() || line.starts_with('#')) continue;
    AppVersion version;
    auto first = line.find(' ');
    auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second == std::string_view::npos)
      return fail("{}:{}: expected 'DIR DIGEST REFERENCE'; remove the file to forget the versions",
                  origin, line_number);
    version.dir = line.substr(0, first);
    version.digest = line.substr(first + 1, second - first - 1);
    version.reference = line.substr(second + 1);
    if (!is_plain_name(version.dir) || !is_hex_digest(version.digest) || version.reference.empty() ||
        version.reference.find(' ') != std::string::npos)
      return fail("{}:{}: '{}' is not 'DIR DIGEST REFERENCE'; remove the file to forget the versions",
                  origin, line_number, one_line(line));
    record.versions.push_back(std::move(version));
  }
  return record;
}

std::string format_app_versions(std::string_view app, const AppVersions& record) {
  std::string text = fmt::format("# versions of app '{}', current first (written by ctapp)\n", one_line(app));
  for (const auto& version : record.versions)
    text += fmt::format("{} {} {}\n", version.dir, version.digest, version.reference);
  return text;
}

Result<AppVersions> read_app_versions(const Paths& paths, std::string_view app) {
  auto file = app_versions_file(paths, app);
  struct stat st;
  if (::lstat(file.c_str(), &st) < 0) {
    if (errno == ENOENT) return AppVersions{};
    return fail("stat '{}': {}", file.string(), errno_text(errno));
  }
  auto text = read_file(file, kMaxRecordSize);
  if (!text) return std::unexpected(text.error());
  return parse_app_versions(*text, file.string());
}

Status write_app_versions(const Paths& paths, std::string_view app, const AppVersions& versions) {
  return write_file_atomic(app_versions_file(paths, app), format_app_versions(app, versions),
                           {.mode = 0600});
}

}  // namespace ctapp
