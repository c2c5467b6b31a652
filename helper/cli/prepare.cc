// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/prepare.h"

#include <sys/stat.h>

#include "bundle/foreground_limits.h"
#include "bundle/runtime_config.h"
#include "cli/lifecycle.h"
#include "cli/sidecar_network.h"
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
#include "core/file_lock.h"
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

// The image in ctapp's store, pulled (or imported) first if it is not yet.
Result<StoredImage> image_in_store(const Paths& paths, const AppConfig& app,
                                   const ImageReference& ref, const PullSettings& pull) {
  const std::string& image = app.image;
  Platform platform = Platform::current();
  if (!app.platform.empty()) {
    auto chosen = Platform::parse(app.platform);
    if (!chosen) return std::unexpected(wrap(fmt::format("app '{}'", app.name), chosen.error()));
    platform = *chosen;
  }
  auto store = OciLayout::open_or_create(paths.image_store());
  if (!store) return std::unexpected(store.error());
  auto descriptor = store->find_ref(store_ref_name(ref, platform));
  if (!descriptor) return std::unexpected(descriptor.error());
  if (!*descriptor) {
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
    if (!pulled) return std::unexpected(pulled.error());
    *descriptor = pulled->manifest;
  }
  return store->load_image(**descriptor, platform);
}

// ROOT/opt/containers/NAME-VERSION/rootfs, unpacked unless it is there
// already from the same manifest.
Status ensure_unpacked(const AppLayout& layout, const StoredImage& image, const IdShift& shift) {
  auto image_lock = FileLock::acquire(layout.lock_dir / ("image-" + image.manifest_digest.substr(7, 16)),
                                      FileLock::Wait::kBlock, "");
  if (!image_lock) return std::unexpected(image_lock.error());
  auto digest_file = layout.bundle / "image-digest";
  // The ownership of the files is part of what was unpacked: with another
  // id range the rootfs is unpacked again.
  std::string unpacked_as = image.manifest_digest + (shift.active() ? fmt::format(" ids={}", shift.offset) : "") + "\n";
  remove_stale_unpacks(layout.bundle);
  std::error_code error;
  if (std::filesystem::exists(layout.lower, error)) {
    if (read_file(digest_file, 128).value_or("") == unpacked_as) return {};
    log(LogLevel::kNotice, "'{}' holds another image; unpacking {} again", layout.bundle.string(),
        image.manifest_digest);
    std::filesystem::remove_all(layout.lower, error);
    if (error) return fail("remove '{}': {}", layout.lower.string(), error.message());
  }
  std::vector<LayerBlob> layers;
  for (const auto& layer : image.layers)
    layers.push_back({layer.blob, layer.descriptor.media_type, layer.descriptor.digest, layer.diff_id,
                      layer.descriptor.size});
  log(LogLevel::kInfo, "unpacking {} ({} layers) to '{}'", image.manifest_digest, layers.size(),
      layout.lower.string());
  auto unpacked = unpack_rootfs(layers, layout.lower, shift);
  if (!unpacked) return std::unexpected(unpacked.error());
  if (auto dropped = describe_dropped_xattrs(*unpacked); !dropped.empty())
    log(LogLevel::kWarning, "unpacking {}: {}", image.manifest_digest, dropped);
  return write_file_atomic(digest_file, unpacked_as);
}

}  // namespace

Result<UnpackedApp> unpack_app(const Paths& paths, const LoadedApp& app, const PullSettings& pull) {
  const AppLayout& layout = app.layout;
  const std::string& name = app.config.name;
  UnpackedApp result;
  auto id_map = app_id_map(paths, app.config);
  if (!id_map) return std::unexpected(id_map.error());
  result.id_map = std::move(*id_map);
  if (auto dirs = ensure_app_dirs(paths, layout, result.id_map.shift.offset); !dirs)
    return std::unexpected(dirs.error());
  if (!app.config.image.empty()) {
    auto ref = parse_image_reference(app.config.image);
    if (!ref) return std::unexpected(ref.error());
    auto stored = image_in_store(paths, app.config, *ref, pull);
    if (!stored) {
      release_unused_bundle_dir(layout);
      return std::unexpected(stored.error());
    }
    if (auto claimed = claim_bundle_dir(layout); !claimed) return std::unexpected(claimed.error());
    if (auto unpacked = ensure_unpacked(layout, *stored, result.id_map.shift); !unpacked) {
      release_unused_bundle_dir(layout);
      return std::unexpected(unpacked.error());
    }
    result.image = std::move(*stored);
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
  if (unpacked.image) {
    auto image_config = unpacked.image->config.find("config");
    if (image_config != unpacked.image->config.end() && image_config->is_object())
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
  const AppLayout& layout = app.layout;
  const std::string& name = app.config.name;
  {
    auto running = FileLock::acquire(layout.lock_dir / (name + ".run"), FileLock::Wait::kFailIfHeld,
                                     "app '" + name + "' is running: stop it first");
    if (!running) return std::unexpected(running.error());
  }
  auto setup = FileLock::acquire(layout.lock_dir / (name + ".setup"), FileLock::Wait::kBlock, "");
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
  state.bundle = layout.bundle;
  state.runtime = app.config.run.runtime;
  state.keep_changes = app.config.run.keep_changes;
  if (unpacked->image) {
    state.image = app.config.image;
    state.image_digest = unpacked->image->manifest_digest;
  }
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
  if (auto written = write_file_atomic(layout.config_json, dump_json(bundle->config, 2) + "\n", {.mode = 0600});
      !written)
    return written;
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
