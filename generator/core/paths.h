// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ctapp {

// Every place ctapp reads or writes, below one root prefix. The prefix is "/"
// on a running machine and a directory for tests and for filling a machine
// image at build time (`ctapp --root /mnt/image`, or CTAPP_ROOT).
struct Paths {
  std::filesystem::path root = "/";
  // Where *.ctapp files are looked up, highest precedence first.
  std::vector<std::filesystem::path> config_dirs;

  // root from `root_override` if not empty, else $CTAPP_ROOT, else "/";
  // config_dirs from $CTAPP_CONFIG_PATH (colon-separated, taken as given) if
  // set, else ROOT/etc, ROOT/run and ROOT/usr/lib containers.d.
  static Paths from_environment(const std::string& root_override = "");

  std::filesystem::path under_root(const std::filesystem::path& absolute) const;
  std::filesystem::path image_store() const { return under_root("/var/lib/ctapp/images"); }
  std::filesystem::path apps_dir() const { return under_root("/var/lib/ctapp/apps"); }
  std::filesystem::path bundles_dir() const { return under_root("/opt/containers"); }
  // ROOT/opt/containers/NAME-VERSION: the one place this name is built.
  // Names and tags may both contain '-' ("web" + "1-0" and "web-1" + "0"),
  // so the directory also records its owner (bundle_owner()); prepare
  // refuses a directory another app owns.
  std::filesystem::path bundle_dir(std::string_view app, std::string_view version) const;
  std::filesystem::path runtime_dir() const { return under_root("/run/ctapp"); }
  // ROOT/var/lib/ctapp/versions: one record per app of its versions on disk
  // (core/app_versions.h); root 0700.
  std::filesystem::path versions_dir() const { return under_root("/var/lib/ctapp/versions"); }
};

// The owner record kept in a bundle directory: "app NAME\nversion VERSION\n".
std::string bundle_owner(std::string_view app, std::string_view version);

}  // namespace ctapp
