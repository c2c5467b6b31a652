// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/version_dirs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/atomic_file.h"
#include "core/file_lock.h"
#include "core/log.h"
#include "core/unique_fd.h"
#include "json/json_reader.h"
#include "runtime/app_dirs.h"
#include "runtime/app_layout.h"
#include "store/temp_file.h"
#include "unpack/unpack.h"

namespace ctapp {
namespace {

constexpr const char* kImageConfig = "image-config.json";
constexpr const char* kOwner = "owner";
constexpr const char* kTempPrefix = "unpack";

std::filesystem::path version_path(const Paths& paths, const AppVersion& version) {
  return paths.bundles_dir() / version.dir;
}

std::filesystem::path temp_parent(const Paths& paths) { return paths.bundles_dir() / ".ctapp-tmp"; }

bool is_real_directory(const std::filesystem::path& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// `sync` is fsync (the directory's entries) or syncfs (its whole filesystem).
Status sync_directory(const std::filesystem::path& dir, int (*sync)(int) = ::fsync) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || sync(fd.get()) < 0) return fail("sync '{}': {}", dir.string(), errno_text(errno));
  return {};
}

Status unpack_into(const std::filesystem::path& dir, const StoredImage& image, const IdShift& shift) {
  std::vector<LayerBlob> layers;
  for (const auto& layer : image.layers)
    layers.push_back({layer.blob, layer.descriptor.media_type, layer.descriptor.digest, layer.diff_id,
                      layer.descriptor.size});
  log(LogLevel::kInfo, "unpacking {} ({} layers) to '{}'", image.manifest_digest, layers.size(),
      (dir / "rootfs").string());
  auto unpacked = unpack_rootfs(layers, dir / "rootfs", shift);
  if (!unpacked) return std::unexpected(unpacked.error());
  if (auto dropped = describe_dropped_xattrs(*unpacked); !dropped.empty())
    log(LogLevel::kWarning, "unpacking {}: {}", image.manifest_digest, dropped);
  return write_file_atomic(dir / kImageConfig, dump_json(image.config) + "\n", {.mode = 0600, .durable = false});
}

}  // namespace

Status sweep_version_temps(const Paths& paths) {
  auto parent = temp_parent(paths);
  if (auto made = ensure_directory(parent, 0700); !made) return made;
  return sweep_stale_temp_files(parent, {kTempPrefix});
}

bool version_is_whole(const Paths& paths, const std::string& app, const AppVersion& version) {
  auto dir = version_path(paths, version);
  if (!is_real_directory(dir / "rootfs")) return false;
  struct stat st;
  if (::lstat((dir / kImageConfig).c_str(), &st) < 0 || !S_ISREG(st.st_mode)) return false;
  return read_file(dir / kOwner, 4096).value_or("").starts_with(fmt::format("app {}\n", app));
}

Result<nlohmann::json> read_version_image_config(const Paths& paths, const AppVersion& version) {
  return read_json_file(version_path(paths, version) / kImageConfig, {.max_size = 16 << 20});
}

Result<AppVersion> install_version(const Paths& paths, const std::string& app, const ImageReference& ref,
                                   const StoredImage& image, const IdShift& shift) {
  AppVersion version;
  version.dir = version_dir_name(app, ref.version(), image.manifest_digest, shift.active() ? shift.offset : 0);
  version.digest = image.manifest_digest;
  version.reference = ref.canonical();
  auto target = version_path(paths, version);

  // One unpack of one version directory at a time (two apps may share an
  // image, never a directory; this also orders them against gc).
  auto lock = FileLock::acquire(paths.runtime_dir() / "locks" / ("version-" + version.dir), FileLock::Wait::kBlock, "");
  if (!lock) return std::unexpected(lock.error());
  if (version_is_whole(paths, app, version)) return version;
  const std::string owner = bundle_owner(app, ref.version());
  if (auto recorded = read_file(target / kOwner, 4096); recorded && *recorded != owner) {
    // claim_bundle_dir names the app that owns it.
    AppLayout other_owner;
    other_owner.name = app;
    other_owner.version = ref.version();
    other_owner.bundle = target;
    if (auto claimed = claim_bundle_dir(other_owner); !claimed) return std::unexpected(claimed.error());
  }

  if (auto swept = sweep_version_temps(paths); !swept) return std::unexpected(swept.error());
  auto parent = temp_parent(paths);
  auto temp = TempDir::create(parent, kTempPrefix);
  if (!temp) return std::unexpected(temp.error());
  uid_t root_id = shift.active() ? shift.offset : 0;
  if (auto closed = ensure_directory(temp->path(), 0700, root_id, root_id); !closed)
    return std::unexpected(closed.error());
  if (auto unpacked = unpack_into(temp->path(), image, shift); !unpacked) return std::unexpected(unpacked.error());
  if (auto owned = write_file_atomic(temp->path() / kOwner, owner, {.durable = false}); !owned)
    return std::unexpected(owned.error());
  // Every file of the new version reaches the disk before the rename makes
  // it one: a syncfs() instead of an fsync() of each of the rootfs's files
  // (after a power loss a version could otherwise hold empty ones).
  if (auto synced = sync_directory(temp->path(), ::syncfs); !synced) return std::unexpected(synced.error());

  // A directory left by an older ctapp under this name (never whole by the
  // rules above) goes first; rename() does not replace a non-empty one.
  if (is_real_directory(target)) {
    std::error_code error;
    std::filesystem::remove_all(target, error);
    if (error) return fail("remove incomplete '{}': {}", target.string(), error.message());
  }
  if (::rename(temp->path().c_str(), target.c_str()) < 0)
    return fail("rename '{}' to '{}': {}", temp->path().string(), target.string(), errno_text(errno));
  temp->keep();
  if (auto synced = sync_directory(paths.bundles_dir()); !synced) return std::unexpected(synced.error());
  log(LogLevel::kNotice, "app '{}': unpacked {} as '{}'", app, image.manifest_digest, target.string());
  return version;
}

}  // namespace ctapp
