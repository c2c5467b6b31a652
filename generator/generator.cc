// SPDX-License-Identifier: LGPL-2.1-or-later
#include "generator.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "core/app_versions.h"
#include "core/atomic_file.h"
#include "core/config_files.h"
#include "core/image_reference.h"
#include "core/unit_renderer.h"

namespace ctapp {
namespace {

// Only a registry image that is not unpacked yet needs the network at start.
// A read of the app's small version record and a stat is all the generator
// may do: /var may not even be mounted yet, and then "needs a pull" is the
// safe answer.
bool needs_pull(const AppConfig& app, const Paths& paths) {
  if (app.image.empty()) return false;
  auto ref = parse_image_reference(app.image);
  if (!ref || ref->transport != ImageReference::Transport::kDocker) return false;
  // pull = "newer" and "always" ask the registry at every start.
  if (app.pull == PullPolicy::kNewer || app.pull == PullPolicy::kAlways) return true;
  if (app.pull == PullPolicy::kNever) return false;
  auto record = read_app_versions(paths, app.name);
  if (!record) return true;
  const AppVersion* version = record->latest_for(ref->canonical());
  if (!version) return true;
  auto rootfs = paths.bundles_dir() / version->dir / "rootfs";
  struct stat st;
  return ::stat(rootfs.c_str(), &st) < 0 || !S_ISDIR(st.st_mode);
}

// Writes into the output directory, creating each directory once.
class OutputWriter {
 public:
  OutputWriter(const std::filesystem::path& root, const std::filesystem::path& template_unit)
      : root_(root), template_unit_(template_unit) {}

  Status write(const RenderedApp& rendered) {
    auto dropin = root_ / rendered.dropin_name;
    if (auto made = make_dir(dropin.parent_path()); !made) return made;
    // The output directory is a tmpfs that systemd empties at every run: no
    // fsync needed, and atomic rename still protects concurrent readers.
    if (auto written = write_file_atomic(dropin, rendered.dropin_text, {.durable = false}); !written)
      return written;
    for (const auto& link : rendered.wants_links)
      if (auto linked = write_symlink(root_ / link); !linked) return linked;
    return {};
  }

 private:
  Status make_dir(const std::filesystem::path& dir) {
    if (made_.contains(dir)) return {};
    if (::mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST)
      return fail("create directory '{}': {}", dir.string(), errno_text(errno));
    made_.insert(dir);
    return {};
  }

  // symlink() is atomic by itself; an existing link is replaced through a
  // temporary name only when it points elsewhere.
  Status write_symlink(const std::filesystem::path& link) {
    if (auto made = make_dir(link.parent_path()); !made) return made;
    if (::symlink(template_unit_.c_str(), link.c_str()) == 0) return {};
    if (errno != EEXIST) return fail("symlink '{}': {}", link.string(), errno_text(errno));
    std::error_code error;
    if (std::filesystem::read_symlink(link, error) == template_unit_) return {};
    auto temp = link;
    temp += ".#tmp";
    ::unlink(temp.c_str());
    if (::symlink(template_unit_.c_str(), temp.c_str()) < 0 ||
        ::rename(temp.c_str(), link.c_str()) < 0) {
      int err = errno;
      ::unlink(temp.c_str());
      return fail("replace symlink '{}': {}", link.string(), errno_text(err));
    }
    return {};
  }

  std::filesystem::path root_;
  std::filesystem::path template_unit_;
  std::set<std::filesystem::path> made_;
};

void print_app(const RenderedApp& rendered, const std::filesystem::path& template_unit) {
  std::printf("---%s---\n%s", rendered.dropin_name.c_str(), rendered.dropin_text.c_str());
  for (const auto& link : rendered.wants_links)
    std::printf("---%s -> %s---\n", link.c_str(), template_unit.c_str());
}

}  // namespace

Status run_generator(const GeneratorOptions& options, GeneratorLog& log) {
  AppDiscovery discovery = find_apps(options.paths.config_dirs);
  OutputWriter writer(options.output_dir, options.template_unit);
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
    auto rendered = render_app(*app, needs_pull(*app, options.paths));
    if (!rendered) {
      log.write(Priority::kErr, fmt::format("{}, skipping app '{}'", rendered.error().message,
                                            source.name));
      continue;
    }
    if (options.dry_run) {
      print_app(*rendered, options.template_unit);
    } else if (auto written = writer.write(*rendered); !written) {
      return written;
    }
  }
  return {};
}

}  // namespace ctapp
