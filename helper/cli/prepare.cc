// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/prepare.h"

#include <sys/stat.h>

#include "bundle/foreground_limits.h"
#include "bundle/runtime_config.h"
#include "cli/lifecycle.h"
#include "cli/sidecar_network.h"
#include "cli/version_dirs.h"
#include "core/app_versions.h"
#include "core/log.h"
#include "core/atomic_file.h"
#include "core/image_reference.h"
#include "core/value_checks.h"
#include "devices/cdi_registry.h"
#include "devices/container_edits.h"
#include "devices/credential_mounts.h"
#include "json/json_reader.h"
#include "runtime/app_dirs.h"
#include "runtime/app_state.h"
#include "runtime/app_locks.h"
#include "runtime/mounts.h"
#include "runtime/unit_cgroup.h"
#include "network/app_network.h"
#include "registry/puller.h"
#include "userns/app_idmap.h"
#include "store/oci_layout.h"
#include "store/ref_name.h"
#include "unpack/unpack.h"

namespace ctapp {
namespace {

// The image in ctapp's store, pulled (or imported) first if it is not yet,
// or every time with `refresh` (pull = "newer" or "always").
Result<StoredImage> image_in_store(const Paths& paths, const AppConfig& app,
                                   const ImageReference& ref, bool refresh, const PullSettings& pull) {
  const std::string& image = app.image;
  auto chosen = Platform::configured_or_current(app.platform);
  if (!chosen) return std::unexpected(wrap(fmt::format("app '{}'", app.name), chosen.error()));
  const Platform& platform = *chosen;
  auto store = OciLayout::open_or_create(paths.image_store());
  if (!store) return std::unexpected(store.error());
  auto descriptor = store->find_ref(store_ref_name(ref, platform));
  if (!descriptor) return std::unexpected(descriptor.error());
  if (!*descriptor && app.pull == PullPolicy::kNever)
    return fail("app '{}': image '{}' is not on this machine and pull = \"never\": bring it into the "
                "store with 'ctapp pull {}' (or set pull = \"missing\")",
                app.name, ref.canonical(), ref.canonical());
  if (!*descriptor || refresh) {
    log(LogLevel::kNotice, "pulling {}", ref.canonical());
    PullRequest request;
    request.reference = image;
    request.paths = paths;
    request.auth_files = pull.auth_files;
    request.host_registries_fallback = pull.host_registries_fallback;
    request.platform = platform;
    std::string limit = app.service.pull_timeout.empty() ? "30min" : app.service.pull_timeout;
    auto span = parse_time_span(limit);
    if (span && *span != std::chrono::microseconds::max()) {
      request.options.deadline = std::chrono::steady_clock::now() + *span;
      request.options.time_limit = fmt::format("pull_timeout = \"{}\" of app '{}'", limit, app.name);
    }
    auto pulled = pull_image(request);
    if (pulled) {
      *descriptor = pulled->manifest;
    } else if (app.pull == PullPolicy::kNewer && *descriptor) {
      log(LogLevel::kWarning, "app '{}': cannot check '{}' for a newer image (pull = \"newer\"), "
                              "starting the local one, ignoring: {}", app.name, ref.canonical(),
          pulled.error().message);
    } else {
      return std::unexpected(pulled.error());
    }
  }
  return store->load_image(**descriptor, platform);
}

}  // namespace

Result<ChosenVersion> choose_version(const Paths& paths, const AppConfig& app, const IdShift& shift,
                                     const PullSettings& pull) {
  auto ref = parse_image_reference(app.image);
  if (!ref) return std::unexpected(ref.error());
  if (auto swept = sweep_version_temps(paths); !swept) return std::unexpected(swept.error());
  auto record = read_app_versions(paths, app.name);
  if (!record) return std::unexpected(record.error());
  ChosenVersion chosen;
  const AppVersion* known = record->latest_for(ref->canonical());
  unsigned offset = shift.active() ? shift.offset : 0;
  bool known_whole = known && version_dir_name(app.name, ref->version(), known->digest, offset) == known->dir &&
                     version_is_whole(paths, app.name, *known);
  bool refresh = app.pull == PullPolicy::kNewer || app.pull == PullPolicy::kAlways;
  std::optional<StoredImage> stored;
  if (refresh) {
    auto store = OciLayout::open_or_create(paths.image_store());
    if (!store) return std::unexpected(store.error());
    // The blobs stay until they are unpacked, whatever a gc decides.
    auto blobs_in_use = store->lock_blobs(false);
    if (!blobs_in_use) return std::unexpected(blobs_in_use.error());
    auto fresh = image_in_store(paths, app, *ref, true, pull);
    if (fresh && !(known_whole && fresh->manifest_digest == known->digest)) {
      auto installed = install_version(paths, app.name, *ref, *fresh, shift);
      if (!installed) return std::unexpected(installed.error());
      chosen.version = std::move(*installed);
      chosen.image_config = std::move(fresh->config);
      stored = std::move(*fresh);
    } else if (!fresh && !(app.pull == PullPolicy::kNewer && known_whole)) {
      return std::unexpected(fresh.error());
    } else if (!fresh) {
      log(LogLevel::kWarning, "app '{}': cannot check '{}' for a newer image (pull = \"newer\"), "
                              "starting the local version {}, ignoring: {}",
          app.name, ref->canonical(), known->dir, fresh.error().message);
    }
  }
  if (stored) {
    // installed above
  } else if (known_whole) {
    auto config = read_version_image_config(paths, *known);
    if (!config) return std::unexpected(config.error());
    chosen.version = *known;
    chosen.image_config = std::move(*config);
  } else {
    // The blobs stay until they are unpacked, whatever a gc decides.
    auto store = OciLayout::open_or_create(paths.image_store());
    if (!store) return std::unexpected(store.error());
    auto blobs_in_use = store->lock_blobs(false);
    if (!blobs_in_use) return std::unexpected(blobs_in_use.error());
    auto from_store = image_in_store(paths, app, *ref, false, pull);
    if (!from_store) return std::unexpected(from_store.error());
    auto installed = install_version(paths, app.name, *ref, *from_store, shift);
    if (!installed) return std::unexpected(installed.error());
    chosen.version = std::move(*installed);
    chosen.image_config = std::move(from_store->config);
  }
  if (record->current() && *record->current() == chosen.version) return chosen;
  record->make_current(chosen.version);
  if (auto written = write_app_versions(paths, app.name, *record); !written) return std::unexpected(written.error());
  return chosen;
}

Result<UnpackedApp> unpack_app(const Paths& paths, const LoadedApp& app, const PullSettings& pull) {
  const std::string& name = app.config.name;
  UnpackedApp result;
  result.layout = app.layout;
  AppLayout& layout = result.layout;
  auto id_map = app_id_map(paths, app.config);
  if (!id_map) return std::unexpected(id_map.error());
  result.id_map = std::move(*id_map);
  if (auto dirs = ensure_app_dirs(paths, layout, result.id_map.shift.offset); !dirs)
    return std::unexpected(dirs.error());
  if (!app.config.image.empty()) {
    auto chosen = choose_version(paths, app.config, result.id_map.shift, pull);
    if (!chosen) return std::unexpected(chosen.error());
    set_version_dir(layout, paths, chosen->version.dir);
    result.image_config = std::move(chosen->image_config);
    result.image_digest = chosen->version.digest;
  } else {
    std::error_code error;
    if (!std::filesystem::is_directory(layout.lower, error))
      return fail("app '{}': rootfs '{}' is not a directory", name, layout.lower.string());
    if (auto claimed = claim_bundle_dir(layout); !claimed) return std::unexpected(claimed.error());
  }
  return result;
}

BundleInputs bundle_inputs(const AppConfig& config, const AppLayout& layout, const AppLayout& target,
                           const UnpackedApp& unpacked) {
  BundleInputs inputs;
  inputs.app = &config;
  if (unpacked.image_config) {
    auto image_config = unpacked.image_config->find("config");
    if (image_config != unpacked.image_config->end() && image_config->is_object())
      inputs.image_config = &*image_config;
  }
  inputs.rootfs = layout.lower;
  inputs.root_path = target.merged;
  inputs.data_dir = target.data;
  inputs.notify_dir = target.notify_dir;
  inputs.cgroups_path = container_cgroup_path(config.name);
  if (unpacked.id_map.enabled) {
    inputs.uid_map = unpacked.id_map.uid_map;
    inputs.gid_map = unpacked.id_map.gid_map;
    inputs.id_shift = unpacked.id_map.shift;
  }
  return inputs;
}

Status prepare_app(const Paths& paths, const LoadedApp& app, const PrepareOptions& options) {
  AppLayout layout = app.layout;
  const std::string& name = app.config.name;
  if (auto stopped = refuse_if_running(layout.lock_dir, name); !stopped) return stopped;
  auto setup = lock_app_setup(layout.lock_dir, name);
  if (!setup) return std::unexpected(setup.error());
  // Whatever an earlier start left behind goes first (idempotent).
  if (auto cleaned = remove_app_runtime(paths, name); !cleaned) return cleaned;

  // Devices and credentials are checked before anything is set up for the
  // container, so that a missing one leaves nothing to undo.
  auto edits = resolve_devices(app.config, cdi_spec_dirs(paths.root));
  if (!edits) return std::unexpected(edits.error());
  // ExecStartPre sees the unit's $CREDENTIALS_DIRECTORY as ExecStart does.
  const char* credentials_directory = std::getenv("CREDENTIALS_DIRECTORY");
  auto credentials = credential_edits(app.config, credentials_directory ? credentials_directory : "");
  if (!credentials) return std::unexpected(credentials.error());
  edits->append(std::move(*credentials));

  auto unpacked = unpack_app(paths, app);
  if (!unpacked) return std::unexpected(unpacked.error());
  AppState state;
  state.version = layout.version;
  state.runtime = app.config.run.runtime;
  state.keep_changes = app.config.run.keep_changes;
  if (!unpacked->image_digest.empty()) {
    state.image = app.config.image;
    state.image_digest = unpacked->image_digest;
  }
  layout = unpacked->layout;
  state.bundle = layout.bundle;
  const IdShift& shift = unpacked->id_map.shift;
  BundleInputs inputs = bundle_inputs(app.config, layout, layout, *unpacked);
  if (options.apply_resources) {
    auto limits = foreground_limits(app.config.resources, MachineSize::current());
    if (!limits) return std::unexpected(wrap(fmt::format("app '{}'", name), limits.error()));
    if (auto usable = check_limit_controllers(*limits); !usable)
      return std::unexpected(wrap(fmt::format("app '{}'", name), usable.error()));
    inputs.limits = *limits;
  }
  auto network = app.config.network.mode == NetworkMode::kApp
                     ? attach_sidecar_network(paths, app.config, layout.runtime)
                     : attach_network(paths, app.config, layout.runtime);
  if (!network) return std::unexpected(network.error());
  if (app.config.network.mode == NetworkMode::kApp && app.config.run.hostname.empty())
    inputs.hostname = network->hostname;
  inputs.netns = network->netns;
  for (const auto& file : network->files) inputs.etc_files.emplace_back(file.source, file.target);
  auto bundle = build_runtime_config(inputs);
  if (!bundle) return std::unexpected(bundle.error());
  apply_container_edits(bundle->config, *edits);
  state.stop_signal = bundle->stop_signal;
  if (auto volumes = prepare_volume_dirs(bundle->volumes, shift); !volumes) return volumes;
  // A restart with the same .ctapp and image finds config.json as it was:
  // left alone, it costs no rewrite. It is made again at every prepare, so it
  // needs no fsync either: a crash that empties it only makes the next
  // prepare write it once more.
  if (auto written = write_file_if_changed(layout.config_json, dump_json(bundle->config, 2) + "\n",
                                           {.mode = 0600, .durable = false});
      !written)
    return std::unexpected(written.error());
  if (auto mounted = mount_overlay({layout.lower, layout.upper, layout.work, layout.merged}, shift.offset);
      !mounted)
    return mounted;
  if (auto recorded = write_app_state(layout.state_file, state); !recorded) {
    unmount_all(layout.merged);
    return recorded;
  }
  return {};
}

}  // namespace ctapp
