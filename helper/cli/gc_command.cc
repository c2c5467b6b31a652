// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/gc_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <map>
#include <set>

#include "cli/app_loader.h"
#include "core/app_versions.h"
#include "core/atomic_file.h"
#include "core/config_files.h"
#include "core/file_lock.h"
#include "runtime/app_locks.h"
#include "core/image_reference.h"
#include "core/log.h"
#include "core/value_checks.h"
#include "runtime/app_layout.h"
#include "runtime/app_state.h"
#include "store/oci_layout.h"
#include "store/ref_name.h"

namespace ctapp {
namespace {

struct GcOptions {
  bool dry_run = false;
  bool volumes = false;
  size_t keep = 2;
};

// What one run removed (or, with --dry-run, would remove).
class GcReport {
 public:
  explicit GcReport(bool dry_run) : dry_run_(dry_run) {}
  void removed(const std::string& what, uint64_t bytes) {
    freed_ += bytes;
    std::printf("%s %s (%llu bytes)\n", dry_run_ ? "would remove" : "removed", what.c_str(),
                static_cast<unsigned long long>(bytes));
  }
  uint64_t freed() const { return freed_; }

 private:
  bool dry_run_;
  uint64_t freed_ = 0;
};

// Apparent size of the regular files below `path`, not following links.
uint64_t tree_bytes(const std::filesystem::path& path) {
  uint64_t total = 0;
  std::error_code error;
  std::filesystem::recursive_directory_iterator it(path, std::filesystem::directory_options::none, error), end;
  for (; !error && it != end; it.increment(error))
    if (it->is_regular_file(error) && !it->is_symlink(error)) total += it->file_size(error);
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += st.st_size;
  return total;
}

Status remove_tree(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);
  if (error) return fail("remove '{}': {}", path.string(), error.message());
  return {};
}

// The version directory a prepared or running app uses (its state file).
std::optional<std::string> dir_in_use(const Paths& paths, const std::string& app) {
  auto state = read_app_state(runtime_layout(paths, app).state_file);
  if (!state || !*state) return std::nullopt;
  return (*state)->bundle.filename().string();
}

struct LiveApp {
  std::optional<std::string> reference;  // canonical, for image apps
};

std::map<std::string, LiveApp> live_apps(const Paths& paths) {
  std::map<std::string, LiveApp> apps;
  for (const auto& source : find_apps(paths.config_dirs).apps) {
    LiveApp live;
    if (auto app = load_app(paths, source.name); app && !app->config.image.empty())
      if (auto ref = parse_image_reference(app->config.image); ref) live.reference = ref->canonical();
    apps[source.name] = live;
  }
  return apps;
}

// The owner app recorded in a version directory ("app NAME\n..."), if any.
std::optional<std::string> owner_of(const std::filesystem::path& dir) {
  auto owner = read_file(dir / "owner", 4096);
  if (!owner || !owner->starts_with("app ")) return std::nullopt;
  auto end = owner->find('\n');
  return owner->substr(4, end == std::string::npos ? std::string::npos : end - 4);
}

class Collector {
 public:
  Collector(const Paths& paths, const GcOptions& options, GcReport& report)
      : paths_(paths), options_(options), report_(report), live_(live_apps(paths)) {}

  // Versions beyond `keep` of live apps; everything of gone apps.
  Status trim_records() {
    auto names = list_directory(paths_.versions_dir());
    if (!names) return {};  // no records yet
    for (const auto& name : *names) {
      if (name.starts_with(".")) continue;
      // APP.#tmp-…: a record write that was killed before its rename. It is
      // no record (of an app "APP.#tmp-…", gone, whose versions would all go).
      if (auto temp = name.find(kAtomicTempInfix); temp != std::string::npos) {
        if (auto removed = remove_killed_write(name.substr(0, temp), name); !removed) return removed;
        continue;
      }
      if (!check_app_name(name)) continue;  // not a record ctapp wrote
      if (auto trimmed = trim_record(name); !trimmed) return trimmed;
    }
    return {};
  }

  // Version directories no record names (killed between rename and record,
  // an older layout, a removed record) and rootfs bundles of gone apps.
  Status remove_unrecorded_dirs() {
    auto names = list_directory(paths_.bundles_dir());
    if (!names) return {};
    for (const auto& entry : *names) {
      if (entry.starts_with(".")) continue;
      auto dir = paths_.bundles_dir() / entry;
      auto owner = owner_of(dir);
      if (!owner) continue;  // not one of ctapp's: leave it
      auto setup = lock_app(*owner);
      if (!setup) return std::unexpected(setup.error());
      bool live = live_.contains(*owner);
      if (live && entry == *owner + "-rootfs") continue;
      auto record = read_app_versions(paths_, *owner);
      if (!record) return std::unexpected(record.error());
      bool recorded = false;
      for (const auto& version : record->versions) recorded = recorded || version.dir == entry;
      if (recorded || dir_in_use(paths_, *owner) == entry) continue;
      if (auto removed = remove_dir(dir, fmt::format("unrecorded version '{}' of app '{}'", entry, *owner)); !removed)
        return removed;
    }
    return {};
  }

  // Volumes of apps that no longer exist: listed, removed only when asked.
  Status handle_gone_volumes() {
    auto names = list_directory(paths_.apps_dir());
    if (!names) return {};
    for (const auto& name : *names) {
      if (name.starts_with(".") || live_.contains(name)) continue;
      auto dir = paths_.apps_dir() / name;
      if (dir_in_use(paths_, name)) continue;
      if (!options_.volumes) {
        std::printf("kept data of removed app '%s': '%s' (%llu bytes; --volumes removes it)\n", name.c_str(),
                    dir.c_str(), static_cast<unsigned long long>(tree_bytes(dir)));
        continue;
      }
      if (auto removed = remove_dir(dir, fmt::format("data of removed app '{}' ('{}')", name, dir.string())); !removed)
        return removed;
    }
    return {};
  }

  // Store refs that only gone apps used, then blobs no ref reaches.
  Status collect_store() {
    std::error_code error;
    if (!std::filesystem::exists(paths_.image_store() / "index.json", error)) return {};
    auto store = OciLayout::open(paths_.image_store());
    if (!store) return std::unexpected(store.error());
    auto blobs_lock = store->lock_blobs(true);
    if (!blobs_lock) return std::unexpected(blobs_lock.error());
    if (auto swept = store->sweep_temp_files(); !swept) return swept;
    std::set<std::string> wanted;
    for (const auto& [name, live] : live_)
      if (live.reference) wanted.insert(*live.reference);
    for (const auto& reference : gone_references_) {
      if (wanted.contains(reference)) continue;
      auto ref = parse_image_reference(reference);
      if (!ref) continue;
      std::string ref_name = store_ref_name(*ref);
      auto found = store->find_ref(ref_name);
      if (!found || !*found) continue;
      std::printf("%s store ref '%s'\n", options_.dry_run ? "would remove" : "removed", ref_name.c_str());
      if (!options_.dry_run)
        if (auto removed = store->remove_ref(ref_name); !removed) return removed;
    }
    return remove_unreachable_blobs(*store);
  }

 private:
  Result<FileLock> lock_app(const std::string& app) {
    return lock_app_setup(app_locks_dir(paths_), app);
  }

  Status remove_dir(const std::filesystem::path& dir, const std::string& what) {
    report_.removed(what, tree_bytes(dir));
    if (options_.dry_run) return {};
    // Out of sight first: a killed gc leaves a temporary that the next
    // install sweeps, never a half-removed version under its own name.
    auto parent = paths_.bundles_dir() / ".ctapp-tmp";
    auto hidden = parent / fmt::format("unpack-gc{}{}", ::getpid(), ++hidden_count_);
    if (dir.parent_path() == paths_.bundles_dir() && std::filesystem::is_directory(parent) &&
        ::rename(dir.c_str(), hidden.c_str()) == 0)
      return remove_tree(hidden);
    return remove_tree(dir);
  }

  // Under the app's lock, so never the temporary of a write in progress.
  Status remove_killed_write(const std::string& app, const std::string& name) {
    if (!check_app_name(app)) return {};
    auto setup = lock_app(app);
    if (!setup) return std::unexpected(setup.error());
    auto path = paths_.versions_dir() / name;
    report_.removed(fmt::format("unfinished write '{}'", path.string()), tree_bytes(path));
    if (!options_.dry_run && ::unlink(path.c_str()) < 0 && errno != ENOENT)
      return fail("remove '{}': {}", path.string(), errno_text(errno));
    return {};
  }

  Status trim_record(const std::string& app) {
    auto setup = lock_app(app);
    if (!setup) return std::unexpected(setup.error());
    auto record = read_app_versions(paths_, app);
    if (!record) return std::unexpected(record.error());
    auto live = live_.find(app);
    bool gone = live == live_.end();
    auto in_use = dir_in_use(paths_, app);
    AppVersions kept;
    std::vector<AppVersion> dropped;
    for (size_t i = 0; i < record->versions.size(); ++i) {
      const auto& version = record->versions[i];
      bool keep = (!gone && i < options_.keep) || in_use == version.dir;
      // The version the next start runs is kept even with --keep 0.
      if (!gone && live->second.reference && record->latest_for(*live->second.reference) == &version) keep = true;
      (keep ? kept.versions : dropped).push_back(version);
      if (gone) gone_references_.insert(version.reference);
    }
    if (dropped.empty()) return {};
    if (!options_.dry_run) {
      // The record first: a kill after it leaves unrecorded directories,
      // which the next gc removes.
      if (kept.versions.empty() && gone) {
        if (::unlink(app_versions_file(paths_, app).c_str()) < 0 && errno != ENOENT)
          return fail("remove '{}': {}", app_versions_file(paths_, app).string(), errno_text(errno));
      } else if (auto written = write_app_versions(paths_, app, kept); !written) {
        return written;
      }
    }
    for (const auto& version : dropped)
      if (auto removed = remove_dir(paths_.bundles_dir() / version.dir,
                                    fmt::format("version '{}' of app '{}'{}", version.dir, app, gone ? " (removed app)" : ""));
          !removed)
        return removed;
    return {};
  }

  // Marks `descriptor` and what it points to; indexes are followed only
  // kMaxIndexDepth deep. Blobs that are absent (other platforms of an
  // index) are fine.
  Status mark(const OciLayout& store, const Descriptor& descriptor, int depth, std::set<std::string>& reached) {
    if (!reached.insert(descriptor.digest).second || !store.has_blob(descriptor.digest)) return {};
    if (depth > kMaxIndexDepth) return fail("store: index {} nests too deep", descriptor.digest);
    auto document = store.read_json_blob(descriptor);
    if (!document) return std::unexpected(document.error());
    std::string what = "store blob " + descriptor.digest;
    if (is_index_document(*document, descriptor.media_type)) {
      auto index = parse_image_index(*document, what);
      if (!index) return std::unexpected(index.error());
      for (const auto& entry : index->manifests)
        if (auto marked = mark(store, entry, depth + 1, reached); !marked) return marked;
      return {};
    }
    auto manifest = parse_image_manifest(*document, what);
    if (!manifest) return std::unexpected(manifest.error());
    reached.insert(manifest->config.digest);
    for (const auto& layer : manifest->layers) reached.insert(layer.digest);
    return {};
  }

  Status remove_unreachable_blobs(const OciLayout& store) {
    auto refs = store.refs();
    if (!refs) return std::unexpected(refs.error());
    std::set<std::string> reached;
    for (const auto& [name, descriptor] : *refs)
      if (auto marked = mark(store, descriptor, 0, reached); !marked)
        return std::unexpected(wrap(fmt::format("ref '{}'", name), marked.error()));
    auto blob_dir = store.dir() / "blobs" / "sha256";
    auto names = list_directory(blob_dir);
    if (!names) return {};
    for (const auto& hex : *names) {
      std::string digest = "sha256:" + hex;
      if (reached.contains(digest)) continue;
      auto path = blob_dir / hex;
      report_.removed("blob " + digest, tree_bytes(path));
      if (!options_.dry_run && ::unlink(path.c_str()) < 0 && errno != ENOENT)
        return fail("remove '{}': {}", path.string(), errno_text(errno));
    }
    return {};
  }

  const Paths& paths_;
  const GcOptions& options_;
  GcReport& report_;
  std::map<std::string, LiveApp> live_;
  std::set<std::string> gone_references_;
  int hidden_count_ = 0;
};

}  // namespace

int run_gc_command(const GlobalOptions& options, const std::vector<std::string>& args) {
  GcOptions gc;
  const char* usage = "Usage: ctapp gc [--dry-run] [--keep N] [--volumes]\n";
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--dry-run") {
      gc.dry_run = true;
    } else if (args[i] == "--volumes") {
      gc.volumes = true;
    } else if (args[i] == "--keep" && i + 1 < args.size()) {
      const std::string& value = args[++i];
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), gc.keep);
      if (error != std::errc() || end != value.data() + value.size() || gc.keep < 1) {
        std::fprintf(stderr, "ctapp gc: --keep '%s' is not a number of versions of at least 1\n%s",
                     one_line(value).c_str(), usage);
        return 2;
      }
    } else {
      std::fprintf(stderr, "ctapp gc: unknown argument '%s'\n%s", one_line(args[i]).c_str(), usage);
      return 2;
    }
  }
  GcReport report(gc.dry_run);
  Collector collector(options.paths, gc, report);
  for (auto step : {&Collector::trim_records, &Collector::remove_unrecorded_dirs, &Collector::handle_gone_volumes,
                    &Collector::collect_store}) {
    if (auto done = (collector.*step)(); !done) {
      log(LogLevel::kErr, "gc: {}", done.error().message);
      return 1;
    }
  }
  std::printf("%s %llu bytes\n", gc.dry_run ? "would free" : "freed", static_cast<unsigned long long>(report.freed()));
  return 0;
}

}  // namespace ctapp
