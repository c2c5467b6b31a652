// SPDX-License-Identifier: LGPL-2.1-or-later
#include "generator.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <set>
#include <string>

#include <fmt/format.h>

#include "core/app_versions.h"
#include "core/atomic_file.h"
#include "core/config_files.h"
#include "core/image_reference.h"
#include "core/unique_fd.h"
#include "core/unit_renderer.h"

namespace ctapp {
namespace {

// Only a registry image that is not unpacked yet needs the network at start.
// A read of the app's small version record and a stat is all the generator
// may do: /var may not even be mounted yet, and then "needs a pull" is the
// safe answer.
//
// The directory of version records is listed once, when the first app asks:
// an app without a record needs a pull, and that costs no syscall per app.
class PullCheck {
 public:
  explicit PullCheck(const Paths& paths) : paths_(paths) {}

  bool needs_pull(const AppConfig& app) {
    if (app.image.empty()) return false;
    auto ref = parse_image_reference(app.image);
    if (!ref || ref->transport != ImageReference::Transport::kDocker) return false;
    // pull = "newer" and "always" ask the registry at every start.
    if (app.pull == PullPolicy::kNewer || app.pull == PullPolicy::kAlways) return true;
    if (app.pull == PullPolicy::kNever) return false;
    if (!listed_) {
      listed_ = true;
      // Missing: no app has a record. Unreadable: ask per app below.
      auto dir = paths_.versions_dir();
      struct stat st;
      if (auto names = list_directory(dir); names)
        records_.emplace(names->begin(), names->end());
      else if (::stat(dir.c_str(), &st) < 0 && errno == ENOENT)
        records_.emplace();
    }
    if (records_ && !records_->contains(app.name)) return true;
    return unpacked_version_missing(app, *ref);
  }

 private:
  bool unpacked_version_missing(const AppConfig& app, const ImageReference& ref) {
    auto record = read_app_versions(paths_, app.name);
    if (!record) return true;
    const AppVersion* version = record->latest_for(ref.canonical());
    if (!version) return true;
    auto rootfs = paths_.bundles_dir() / version->dir / "rootfs";
    struct stat st;
    return ::stat(rootfs.c_str(), &st) < 0 || !S_ISDIR(st.st_mode);
  }

  const Paths& paths_;
  bool listed_ = false;
  std::optional<std::set<std::string>> records_;  // nullopt: could not list
};

// Writes into the output directory, creating each directory once. Every
// call is relative to one descriptor of the output directory, so the kernel
// walks only the last one or two names of each path.
class OutputWriter {
 public:
  OutputWriter(const std::filesystem::path& root, const std::filesystem::path& template_unit)
      : root_(root), template_unit_(template_unit.string()) {}

  Status write(const RenderedApp& rendered) {
    if (!root_fd_.valid()) {
      root_fd_.reset(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!root_fd_.valid())
        return fail("open directory '{}': {}", root_.string(), errno_text(errno));
    }
    if (auto made = make_parent_dir(rendered.dropin_name); !made) return made;
    // Written in place, with no temporary file, rename or fsync: systemd
    // empties the output directories before it runs the generators and reads
    // them only after every generator has exited (ctapp-generator(8)).
    if (auto written = write_file_in_place(root_fd_.get(), root_, rendered.dropin_name,
                                           rendered.dropin_text);
        !written)
      return written;
    for (const auto& link : rendered.wants_links)
      if (auto linked = write_symlink(link); !linked) return linked;
    return {};
  }

 private:
  // NAME is "DIR/FILE" relative to the output directory.
  Status make_parent_dir(std::string_view name) {
    auto dir = std::string(name.substr(0, name.rfind('/')));
    if (made_.contains(dir)) return {};
    if (::mkdirat(root_fd_.get(), dir.c_str(), 0755) < 0 && errno != EEXIST)
      return fail("create directory '{}': {}", (root_ / dir).string(), errno_text(errno));
    made_.insert(std::move(dir));
    return {};
  }

  // symlink() is atomic by itself; an existing link is replaced through a
  // temporary name only when it points elsewhere.
  Status write_symlink(const std::string& link) {
    if (auto made = make_parent_dir(link); !made) return made;
    const int dir = root_fd_.get();
    if (::symlinkat(template_unit_.c_str(), dir, link.c_str()) == 0) return {};
    if (errno != EEXIST) return fail("symlink '{}': {}", (root_ / link).string(), errno_text(errno));
    char target[4096];
    ssize_t length = ::readlinkat(dir, link.c_str(), target, sizeof target);
    if (length >= 0 && std::string_view(target, static_cast<size_t>(length)) == template_unit_)
      return {};
    auto temp = link + ".#tmp";
    ::unlinkat(dir, temp.c_str(), 0);
    if (::symlinkat(template_unit_.c_str(), dir, temp.c_str()) < 0 ||
        ::renameat(dir, temp.c_str(), dir, link.c_str()) < 0) {
      int err = errno;
      ::unlinkat(dir, temp.c_str(), 0);
      return fail("replace symlink '{}': {}", (root_ / link).string(), errno_text(err));
    }
    return {};
  }

  std::filesystem::path root_;
  std::string template_unit_;
  UniqueFd root_fd_;
  std::set<std::string, std::less<>> made_;
};

void print_app(const RenderedApp& rendered, const std::filesystem::path& template_unit) {
  std::printf("---%s---\n%s", rendered.dropin_name.c_str(), rendered.dropin_text.c_str());
  for (const auto& link : rendered.wants_links)
    std::printf("---%s -> %s---\n", link.c_str(), template_unit.c_str());
}

}  // namespace

Status run_generator(const GeneratorOptions& options, GeneratorLog& log) {
  AppDiscovery discovery = find_apps(options.paths.config_dirs, EmptyFileCheck::kWhenRead);
  OutputWriter writer(options.output_dir, options.template_unit);
  PullCheck pull_check(options.paths);
  for (const auto& problem : discovery.problems) log.write(Priority::kWarning, problem.format());
  for (const auto& source : discovery.apps) {
    auto app = parse_app(source);
    if (!app && app.error().empty()) continue;  // an empty NAME.ctapp: masked
    if (!app) {
      for (const auto& diagnostic : app.error()) log.write(Priority::kErr, diagnostic.format());
      log.write(Priority::kErr, fmt::format("{}: skipping app '{}': fix the errors above and run "
                                            "'systemctl daemon-reload'",
                                            source.main_file.string(), source.name));
      continue;
    }
    auto rendered = render_app(*app, pull_check.needs_pull(*app));
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
