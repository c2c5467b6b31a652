// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/update_commands.h"

#include <cstdio>

#include "cli/app_loader.h"
#include "cli/unit_restart.h"
#include "cli/version_dirs.h"
#include "core/app_versions.h"
#include "core/config_files.h"
#include "runtime/app_locks.h"
#include "core/image_reference.h"
#include "core/log.h"
#include "registry/puller.h"
#include "runtime/app_dirs.h"
#include "userns/app_idmap.h"

namespace ctapp {
namespace {

std::string short_digest(const std::string& digest) {
  return digest.substr(0, std::min<size_t>(digest.size(), 7 + 12));
}

std::string when_it_runs(const AppLayout& layout) {
  if (!app_is_running(layout.lock_dir, layout.name)) return "it runs at the next start";
  return fmt::format("it runs at the next start: 'systemctl restart ctapp@{}.service' (or stop and "
                     "start it) to run it now",
                     layout.name);
}

// The reference an app can be updated from, or why it cannot.
Result<ImageReference> updatable_reference(const AppConfig& config) {
  if (config.image.empty()) return fail("app '{}' runs a rootfs, not an image: not updatable", config.name);
  auto ref = parse_image_reference(config.image);
  if (!ref) return std::unexpected(ref.error());
  if (ref->transport != ImageReference::Transport::kDocker)
    return fail("app '{}': image '{}' is not from a registry: not updatable (import it again with "
                "'ctapp pull')",
                config.name, one_line(config.image));
  if (!ref->digest.empty())
    return fail("app '{}': image '{}' is pinned to a digest: it never updates (change the "
                "reference to update it)",
                config.name, one_line(config.image));
  return *ref;
}

struct UpdateOptions {
  bool dry_run = false;
  bool restart = false;
};

// One app; the message says what happened.
Result<std::string> update_app(const Paths& paths, const std::string& name, const UpdateOptions& options);

// Makes `target` current again in the app's record.
Status record_current(const Paths& paths, const std::string& name, const AppVersion& target) {
  auto setup = lock_app_setup(app_locks_dir(paths), name);
  if (!setup) return std::unexpected(setup.error());
  auto record = read_app_versions(paths, name);
  if (!record) return std::unexpected(record.error());
  record->make_current(target);
  return write_app_versions(paths, name, *record);
}

// After an update or a rollback of a running app under systemd: restart
// it on the new version; when that does not become active, or ends at once,
// go back to `previous` and restart again.
Result<std::string> restart_or_roll_back(const Paths& paths, const std::string& name, const AppVersion& previous) {
  auto restarted = restart_app_unit(name);
  if (restarted) return std::string("restarted, active");
  log(LogLevel::kWarning, "app '{}': {}; rolling back to {}", name, restarted.error().message,
      short_digest(previous.digest));
  if (auto recorded = record_current(paths, name, previous); !recorded) return std::unexpected(recorded.error());
  if (auto again = restart_app_unit(name); !again)
    return fail("app '{}': {}; rolled back to {}, but that did not start either: {}", name,
                restarted.error().message, short_digest(previous.digest), again.error().message);
  return fail("app '{}': {}; rolled back to {} and restarted it", name, restarted.error().message,
              short_digest(previous.digest));
}

Result<std::string> update_app(const Paths& paths, const std::string& name, const UpdateOptions& options) {
  auto app = load_app(paths, name);
  if (!app) return std::unexpected(app.error());
  auto ref = updatable_reference(app->config);
  if (!ref) return std::unexpected(ref.error());
  auto setup = lock_app_setup(app->layout.lock_dir, name);
  if (!setup) return std::unexpected(setup.error());
  auto record = read_app_versions(paths, name);
  if (!record) return std::unexpected(record.error());
  const AppVersion* known = record->latest_for(ref->canonical());
  if (options.dry_run) {
    auto remote = registry_digest(paths, app->config);
    if (!remote) return std::unexpected(remote.error());
    if (known && *remote == known->digest)
      return fmt::format("app '{}': up to date ({})", name, short_digest(known->digest));
    return fmt::format("app '{}': would update to {} (was {})", name, short_digest(*remote),
                       known ? short_digest(known->digest) : std::string("none"));
  }

  auto store = OciLayout::open_or_create(paths.image_store());
  if (!store) return std::unexpected(store.error());
  // The blobs stay until they are unpacked, whatever a gc decides.
  auto blobs_in_use = store->lock_blobs(false);
  if (!blobs_in_use) return std::unexpected(blobs_in_use.error());
  auto platform = Platform::configured_or_current(app->config.platform);
  if (!platform) return std::unexpected(wrap(fmt::format("app '{}'", name), platform.error()));
  PullRequest request;
  request.reference = app->config.image;
  request.paths = paths;
  request.platform = *platform;
  auto pulled = pull_image(request);
  if (!pulled) return std::unexpected(wrap(fmt::format("app '{}'", name), pulled.error()));
  auto image = store->load_image(pulled->manifest, *platform);
  if (!image) return std::unexpected(image.error());
  if (known && known->digest == image->manifest_digest && version_is_whole(paths, name, *known))
    return fmt::format("app '{}': up to date ({})", name, short_digest(known->digest));

  auto id_map = app_id_map(paths, app->config);
  if (!id_map) return std::unexpected(id_map.error());
  if (auto shared = ensure_shared_dirs(paths); !shared) return std::unexpected(shared.error());
  auto installed = install_version(paths, name, *ref, *image, id_map->shift);
  if (!installed) return std::unexpected(installed.error());
  std::optional<AppVersion> previous;
  if (known) previous = *known;
  std::string was = known ? short_digest(known->digest) : std::string("none");
  record->make_current(*installed);  // `known` points into the record: not used after this
  if (auto written = write_app_versions(paths, name, *record); !written) return std::unexpected(written.error());
  std::string updated = fmt::format("app '{}': updated to {} (was {})", name, short_digest(installed->digest), was);
  if (options.restart && previous && app_unit_is_active(name)) {
    setup = std::unexpected(Error{});  // prepare, run by the restart, takes the setup lock
    log(LogLevel::kNotice, "{}; restarting 'ctapp@{}.service'", updated, name);
    auto restarted = restart_or_roll_back(paths, name, *previous);
    if (!restarted) return std::unexpected(restarted.error());
    return fmt::format("{}; {}", updated, *restarted);
  }
  return fmt::format("{}; {}", updated, when_it_runs(app->layout));
}

}  // namespace

Result<std::string> registry_digest(const Paths& paths, const AppConfig& app) {
  auto ref = updatable_reference(app);
  if (!ref) return std::unexpected(ref.error());
  auto platform = Platform::configured_or_current(app.platform);
  if (!platform) return std::unexpected(wrap(fmt::format("app '{}'", app.name), platform.error()));
  PullRequest request;
  request.reference = app.image;
  request.paths = paths;
  request.platform = *platform;
  request.resolve_only = true;
  auto resolved = pull_image(request);
  if (!resolved) return std::unexpected(wrap(fmt::format("app '{}'", app.name), resolved.error()));
  return resolved->manifest.digest;
}

int run_update_command(const GlobalOptions& options, const std::vector<std::string>& args) {
  UpdateOptions update;
  bool all = false;
  bool auto_only = false;
  std::vector<std::string> names;
  for (const auto& arg : args) {
    if (arg == "--dry-run") update.dry_run = true;
    else if (arg == "--restart") update.restart = true;
    else if (arg == "--all") all = true;
    else if (arg == "--auto") all = auto_only = true;
    else if (arg.starts_with("-")) {
      std::fprintf(stderr, "ctapp update: unknown option '%s'\nUsage: ctapp update [--restart] [--dry-run] NAME... | --all | --auto\n",
                   one_line(arg).c_str());
      return 2;
    } else names.push_back(arg);
  }
  if (all == !names.empty()) {
    std::fprintf(stderr, "Usage: ctapp update [--restart] [--dry-run] NAME... | --all | --auto\n");
    return 2;
  }
  if (update.restart && !systemd_is_running()) {
    log(LogLevel::kErr, "update --restart: this machine does not run systemd; update without "
                        "--restart and start the apps again yourself");
    return 2;
  }
  if (all) {
    for (const auto& source : find_apps(options.paths.config_dirs).apps) {
      auto app = load_app(options.paths, source.name);
      if (app && updatable_reference(app->config) && (!auto_only || app->config.service.auto_update))
        names.push_back(source.name);
    }
  }
  int status = 0;
  for (const auto& name : names) {
    auto done = update_app(options.paths, name, update);
    if (!done) {
      log(LogLevel::kErr, "update: {}", done.error().message);
      status = 1;
      continue;
    }
    log(LogLevel::kNotice, "{}", *done);
  }
  return status;
}

int run_rollback_command(const GlobalOptions& options, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "Usage: ctapp rollback NAME\n");
    return 2;
  }
  const Paths& paths = options.paths;
  const std::string& name = args[0];
  auto rolled = [&]() -> Result<std::string> {
    auto app = load_app(paths, name);
    if (!app) return std::unexpected(app.error());
    if (app->config.image.empty()) return fail("app '{}' runs a rootfs, not an image: no versions to roll back", name);
    auto ref = parse_image_reference(app->config.image);
    if (!ref) return std::unexpected(ref.error());
    auto setup = lock_app_setup(app->layout.lock_dir, name);
    if (!setup) return std::unexpected(setup.error());
    auto record = read_app_versions(paths, name);
    if (!record) return std::unexpected(record.error());
    // The version after the one a start would use now, of the same
    // reference: another reference is chosen by editing the .ctapp.
    const AppVersion* current = nullptr;
    const AppVersion* previous = nullptr;
    for (const auto& version : record->versions) {
      if (version.reference != ref->canonical()) continue;
      if (!current) current = &version;
      else if (version_is_whole(paths, name, version)) {
        previous = &version;
        break;
      }
    }
    if (!previous)
      return fail("app '{}': no earlier version of '{}' is kept in '{}'; nothing to roll back to", name,
                  ref->canonical(), paths.bundles_dir().string());
    AppVersion target = *previous;
    AppVersion left = *current;
    std::string from = current->digest;
    record->make_current(target);
    if (auto written = write_app_versions(paths, name, *record); !written) return std::unexpected(written.error());
    if (systemd_is_running() && app_unit_is_active(name)) {
      setup = std::unexpected(Error{});  // prepare, run by the restart, takes the setup lock
      auto restarted = restart_or_roll_back(paths, name, left);
      if (!restarted) return std::unexpected(restarted.error());
      return fmt::format("app '{}': rolled back to {} (was {}); {}", name, short_digest(target.digest),
                         short_digest(from), *restarted);
    }
    return fmt::format("app '{}': rolled back to {} (was {}); {}", name, short_digest(target.digest),
                       short_digest(from), when_it_runs(app->layout));
  }();
  if (!rolled) {
    log(LogLevel::kErr, "rollback: {}", rolled.error().message);
    return 1;
  }
  log(LogLevel::kNotice, "{}", *rolled);
  return 0;
}

}  // namespace ctapp
