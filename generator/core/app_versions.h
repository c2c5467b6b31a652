// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/paths.h"
#include "core/result.h"

namespace ctapp {

// One unpacked image of an app: ROOT/opt/containers/DIR/rootfs. A version
// directory is made whole in a temporary directory and renamed into place;
// after that it never changes (only the per-start config.json is rewritten),
// so a digest has its own directory and switching versions is a write of the
// record below.
struct AppVersion {
  std::string dir;        // "web-1.0-3f2a9c81d0e4" (app, tag, digest prefix)
  std::string digest;     // manifest digest "sha256:..."
  std::string reference;  // the image reference it was prepared for, canonical

  bool operator==(const AppVersion&) const = default;
};

// Which versions of one app are on disk, most recent use first: versions[0]
// is current (what the next start runs), versions[1] the one `ctapp
// rollback` goes back to. Kept in ROOT/var/lib/ctapp/versions/NAME (a closed
// directory), written whole with write_file_atomic, one line per version:
//   DIR DIGEST REFERENCE
struct AppVersions {
  std::vector<AppVersion> versions;

  const AppVersion* current() const { return versions.empty() ? nullptr : &versions.front(); }
  // The most recent version prepared for `reference`, if any.
  const AppVersion* latest_for(std::string_view reference) const;
  // Puts `version` first (current), dropping an older entry for the same dir.
  void make_current(const AppVersion& version);
};

// ROOT/var/lib/ctapp/versions/NAME
std::filesystem::path app_versions_file(const Paths& paths, std::string_view app);

// The directory name of a version: NAME-VERSION-DIGEST12, with "-uOFFSET"
// when its files are shifted for a user namespace (another unpack).
std::string version_dir_name(std::string_view app, std::string_view version,
                             std::string_view digest, unsigned id_offset);

// Parses the record's text; fails naming `origin` and the line.
Result<AppVersions> parse_app_versions(std::string_view text, std::string_view origin);
std::string format_app_versions(std::string_view app, const AppVersions& versions);

// An empty record when the file does not exist.
Result<AppVersions> read_app_versions(const Paths& paths, std::string_view app);
// Atomic and durable; the directory must exist (ensure_app_dirs makes it).
Status write_app_versions(const Paths& paths, std::string_view app, const AppVersions& versions);

}  // namespace ctapp
