// SPDX-License-Identifier: LGPL-2.1-or-later
#include "generator.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/config_files.h"
#include "core/image_reference.h"
#include "core/unit_renderer.h"

namespace ctapp {
namespace {

// Only a registry image that is not unpacked yet needs the network at start.
// A stat is all the generator may do: /var may not even be mounted yet, and
// then "needs a pull" is the safe answer.
bool needs_pull(const AppConfig& app, const Paths& paths) {
  if (app.image.empty()) return false;
  auto ref = parse_image_reference(app.image);
  if (!ref || ref->transport != ImageReference::Transport::kDocker) return false;
  auto rootfs = paths.bundles_dir() / fmt::format("{}-{}", app.name, ref->version()) / "rootfs";
  struct stat st;
  return ::stat(rootfs.c_str(), &st) < 0 || !S_ISDIR(st.st_mode);
}

Status make_dirs(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return fail("create directory '{}': {}", dir.string(), error.message());
  return {};
}

// A symlink made under a temporary name and renamed into place.
Status write_symlink_atomic(const std::filesystem::path& target, const std::filesystem::path& link) {
  if (auto made = make_dirs(link.parent_path()); !made) return made;
  auto temp = link;
  temp += ".#tmp";
  ::unlink(temp.c_str());
  if (::symlink(target.c_str(), temp.c_str()) < 0)
    return fail("symlink '{}': {}", temp.string(), errno_text(errno));
  if (::rename(temp.c_str(), link.c_str()) < 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return fail("rename '{}': {}", link.string(), errno_text(err));
  }
  return {};
}

Status write_app(const GeneratorOptions& options, const RenderedApp& rendered) {
  if (options.dry_run) {
    std::printf("---%s---\n%s", rendered.dropin_name.c_str(), rendered.dropin_text.c_str());
    for (const auto& link : rendered.wants_links)
      std::printf("---%s -> %s---\n", link.c_str(), options.template_unit.c_str());
    return {};
  }
  auto dropin = options.output_dir / rendered.dropin_name;
  if (auto made = make_dirs(dropin.parent_path()); !made) return made;
  if (auto written = write_file_atomic(dropin, rendered.dropin_text); !written) return written;
  for (const auto& link : rendered.wants_links)
    if (auto linked = write_symlink_atomic(options.template_unit, options.output_dir / link); !linked)
      return linked;
  return {};
}

}  // namespace

Status run_generator(const GeneratorOptions& options, GeneratorLog& log) {
  AppDiscovery discovery = find_apps(options.paths.config_dirs);
  for (const auto& problem : discovery.problems) log.write(Priority::kWarning, problem.format());
  for (const auto& source : discovery.apps) {
    auto app = parse_app(source);
    if (!app) {
      for (const auto& diagnostic : app.error()) log.write(Priority::kErr, diagnostic.format());
      log.write(Priority::kErr, fmt::format("{}: skipping app '{}': fix the errors above and run "
                                            "'systemctl daemon-reload'",
                                            source.main_file.string(), source.name));
      continue;
    }
    RenderedApp rendered = render_app(*app, needs_pull(*app, options.paths));
    if (auto written = write_app(options, rendered); !written) return written;
  }
  return {};
}

}  // namespace ctapp
