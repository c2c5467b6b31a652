// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/app_layout.h"

#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/image_reference.h"
#include "runtime/app_locks.h"

namespace ctapp {

AppLayout runtime_layout(const Paths& paths, const std::string& name) {
  AppLayout layout;
  layout.name = name;
  layout.data = paths.apps_dir() / name;
  layout.runtime = paths.runtime_dir() / name;
  layout.merged = layout.runtime / "rootfs";
  layout.upper = layout.runtime / "upper";
  layout.work = layout.runtime / "work";
  layout.notify_dir = layout.runtime / "notify";
  layout.state_file = layout.runtime / "state.json";
  layout.runc_root = paths.runtime_dir() / "runc";
  layout.lock_dir = app_locks_dir(paths);
  return layout;
}

Result<AppLayout> app_layout(const Paths& paths, const AppConfig& app) {
  AppLayout layout = runtime_layout(paths, app.name);
  if (app.image.empty()) {
    layout.version = "rootfs";
    layout.bundle = paths.bundle_dir(app.name, layout.version);
    layout.lower = paths.under_root(app.rootfs);
  } else {
    auto ref = parse_image_reference(app.image);
    if (!ref) return std::unexpected(ref.error());
    // The version directory is chosen by prepare (set_version_dir).
    layout.version = ref->version();
  }
  if (!layout.bundle.empty()) layout.config_json = layout.bundle / "config.json";
  if (app.run.keep_changes) {
    layout.upper = layout.data / ".overlay" / "upper";
    layout.work = layout.data / ".overlay" / "work";
  }
  return layout;
}

void set_version_dir(AppLayout& layout, const Paths& paths, const std::string& dir) {
  layout.bundle = paths.bundles_dir() / dir;
  layout.lower = layout.bundle / "rootfs";
  layout.config_json = layout.bundle / "config.json";
}

Status claim_bundle_dir(const AppLayout& layout) {
  std::string owner = bundle_owner(layout.name, layout.version);
  auto owner_file = layout.bundle / "owner";
  auto recorded = read_file(owner_file, 4096);
  if (!recorded) {
    // First use (or a bundle of an older ctapp): record the owner. link() is
    // atomic and never replaces, so of two apps racing for one name exactly
    // one wins.
    auto temp = layout.bundle / fmt::format(".owner.{}", ::getpid());
    if (auto written = write_file_atomic(temp, owner); !written) return written;
    int linked = ::link(temp.c_str(), owner_file.c_str());
    int link_errno = errno;
    ::unlink(temp.c_str());
    if (linked < 0 && link_errno != EEXIST)
      return fail("create '{}': {}", owner_file.string(), errno_text(link_errno));
    recorded = read_file(owner_file, 4096);
    if (!recorded) return std::unexpected(recorded.error());
  }
  if (*recorded == owner) return {};
  std::string_view other = *recorded;
  auto version_at = other.find("\nversion ");
  std::string_view other_app = other.substr(0, version_at);
  if (other_app.starts_with("app ")) other_app.remove_prefix(4);
  std::string_view other_version =
      version_at == std::string_view::npos ? "" : other.substr(version_at + 9);
  if (other_version.ends_with('\n')) other_version.remove_suffix(1);
  return fail("'{}' is the directory of app '{}' version '{}'; app '{}' version '{}' would share "
              "it (app names and tags may both contain '-'): rename one of the two apps",
              layout.bundle.string(), one_line(other_app), one_line(other_version), layout.name,
              layout.version);
}

void release_unused_bundle_dir(const AppLayout& layout) {
  auto names = list_directory(layout.bundle);
  if (!names) return;
  for (const auto& entry : *names)
    if (entry != "owner") return;
  ::unlink((layout.bundle / "owner").c_str());
  ::rmdir(layout.bundle.c_str());
}

}  // namespace ctapp
