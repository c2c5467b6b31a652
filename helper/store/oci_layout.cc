// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/oci_layout.h"

#include <unistd.h>

#include "core/atomic_file.h"
#include "core/file_lock.h"
#include "store/media_types.h"
#include "store/sha256.h"
#include "store/temp_file.h"

namespace ctapp {
namespace {

constexpr const char* kRefName = "org.opencontainers.image.ref.name";

// The ref name of an index.json entry, or "" when it has none.
Result<std::string> ref_name_of(const JsonView& entry) {
  auto annotations = entry.string_map("annotations");
  if (!annotations) return std::unexpected(annotations.error());
  auto found = annotations->find(kRefName);
  return found == annotations->end() ? std::string() : found->second;
}

}  // namespace

Result<OciLayout> OciLayout::open(const std::filesystem::path& dir) {
  std::error_code error;
  if (!std::filesystem::exists(dir / "oci-layout", error) ||
      !std::filesystem::exists(dir / "index.json", error))
    return fail("'{}' is not an OCI image layout (no oci-layout or index.json)", dir.string());
  OciLayout layout;
  layout.dir_ = dir;
  return layout;
}

Result<OciLayout> OciLayout::open_or_create(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir / "blobs" / "sha256", error);
  if (error) return fail("create '{}': {}", dir.string(), error.message());
  auto lock = FileLock::acquire(dir / ".ctapp-tmp" / "index.lock", FileLock::Wait::kBlock, "");
  if (!lock) return std::unexpected(lock.error());
  if (!std::filesystem::exists(dir / "oci-layout", error))
    if (auto written = write_file_atomic(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})"); !written)
      return std::unexpected(written.error());
  if (!std::filesystem::exists(dir / "index.json", error))
    if (auto written = write_file_atomic(dir / "index.json", R"({"schemaVersion":2,"manifests":[]})"); !written)
      return std::unexpected(written.error());
  return open(dir);
}

std::filesystem::path OciLayout::blob_path(const std::string& digest) const {
  return dir_ / "blobs" / "sha256" / digest.substr(7);
}

bool OciLayout::has_blob(const std::string& digest) const {
  std::error_code error;
  return is_digest(digest) && std::filesystem::exists(blob_path(digest), error);
}

Result<nlohmann::json> OciLayout::read_json_blob(const Descriptor& descriptor) const {
  if (!is_digest(descriptor.digest)) return fail("'{}' is not a sha256 digest", descriptor.digest);
  if (descriptor.size > static_cast<int64_t>(kMaxImageJson))
    return fail("blob {} is {} bytes, more than a manifest or config may be", descriptor.digest,
                descriptor.size);
  auto text = read_file(blob_path(descriptor.digest), kMaxImageJson);
  if (!text) return std::unexpected(text.error());
  auto hash = Sha256::create();
  if (!hash) return std::unexpected(hash.error());
  hash->update(text->data(), text->size());
  if (hash->digest() != descriptor.digest || static_cast<int64_t>(text->size()) != descriptor.size)
    return fail("blob {} in '{}' does not match its digest or size: the store is corrupt",
                descriptor.digest, dir_.string());
  return parse_image_json(*text, "blob " + descriptor.digest);
}

Result<nlohmann::json> OciLayout::read_index_json() const {
  auto file = dir_ / "index.json";
  auto text = read_file(file, kMaxImageJson);
  if (!text) return std::unexpected(text.error());
  return parse_image_json(*text, "'" + file.string() + "'");
}

Result<std::vector<std::pair<std::string, Descriptor>>> OciLayout::refs() const {
  auto index = read_index_json();
  if (!index) return std::unexpected(index.error());
  auto entries = JsonView(*index, "'" + (dir_ / "index.json").string() + "'").optional_array("manifests");
  if (!entries) return std::unexpected(entries.error());
  std::vector<std::pair<std::string, Descriptor>> refs;
  for (const auto& entry : *entries) {
    auto descriptor = parse_descriptor(entry);
    if (!descriptor) return std::unexpected(descriptor.error());
    auto name = ref_name_of(entry);
    if (!name) return std::unexpected(name.error());
    refs.emplace_back(std::move(*name), std::move(*descriptor));
  }
  return refs;
}

Result<std::optional<Descriptor>> OciLayout::find_ref(const std::string& ref) const {
  auto all = refs();
  if (!all) return std::unexpected(all.error());
  for (auto it = all->rbegin(); it != all->rend(); ++it)
    if (it->first == ref) return std::optional<Descriptor>(it->second);
  return std::optional<Descriptor>();
}

Result<StoredImage> OciLayout::load_image(const Descriptor& descriptor, const Platform& platform) const {
  return load_image_at(descriptor, platform, 0);
}

Result<StoredImage> OciLayout::load_image_at(const Descriptor& descriptor, const Platform& platform,
                                             int depth) const {
  auto document = read_json_blob(descriptor);
  if (!document) return std::unexpected(document.error());
  std::string what = "manifest " + descriptor.digest;
  if (is_index_document(*document, descriptor.media_type)) {
    if (depth >= kMaxIndexDepth)
      return fail("index {} is nested in more than {} other indexes: not an image ctapp uses",
                  descriptor.digest, kMaxIndexDepth);
    auto index = parse_image_index(*document, "index " + descriptor.digest);
    if (!index) return std::unexpected(index.error());
    std::vector<std::optional<Platform>> platforms;
    for (const auto& entry : index->manifests) platforms.push_back(entry.platform);
    auto chosen = choose_platform(platforms, platform, "image " + descriptor.digest);
    if (!chosen) return std::unexpected(chosen.error());
    return load_image_at(index->manifests[*chosen], platform, depth + 1);
  }
  auto manifest = parse_image_manifest(*document, what);
  if (!manifest) return std::unexpected(manifest.error());
  StoredImage image;
  image.manifest_digest = descriptor.digest;
  image.media_type = !manifest->media_type.empty() ? manifest->media_type
                     : !descriptor.media_type.empty() ? descriptor.media_type
                                                      : std::string(kOciManifest);
  image.config_descriptor = manifest->config;
  auto config = read_json_blob(manifest->config);
  if (!config) return std::unexpected(config.error());
  auto parsed_config = parse_image_config(*config, "image config " + manifest->config.digest);
  if (!parsed_config) return std::unexpected(parsed_config.error());
  image.config = std::move(*config);
  const auto& diff_ids = parsed_config->diff_ids;
  if (manifest->layers.size() != diff_ids.size())
    return fail("manifest {} has {} layers but its config lists {} diff_ids", descriptor.digest,
                manifest->layers.size(), diff_ids.size());
  for (size_t i = 0; i < manifest->layers.size(); ++i)
    image.layers.push_back({manifest->layers[i], diff_ids[i], blob_path(manifest->layers[i].digest)});
  return image;
}

Status OciLayout::add_verified_blob(const std::filesystem::path& file, const std::string& digest) const {
  if (!is_digest(digest)) return fail("'{}' is not a sha256 digest", digest);
  if (::rename(file.c_str(), blob_path(digest).c_str()) < 0)
    return fail("move blob {} into '{}': {}", digest, dir_.string(), errno_text(errno));
  return {};
}

Status OciLayout::sweep_temp_files() const {
  return sweep_stale_temp_files(temp_dir(), {"pull", "import", "manifest", "archive"});
}

Status OciLayout::set_ref(const std::string& ref, const Descriptor& descriptor) const {
  return replace_ref(ref, &descriptor);
}

Result<FileLock> OciLayout::lock_blobs(bool exclusive) const {
  return FileLock::acquire(temp_dir() / "blobs.lock", FileLock::Wait::kBlock, "",
                           exclusive ? FileLock::Mode::kExclusive : FileLock::Mode::kShared);
}

Status OciLayout::remove_ref(const std::string& ref) const { return replace_ref(ref, nullptr); }

Status OciLayout::replace_ref(const std::string& ref, const Descriptor* descriptor) const {
  auto lock = FileLock::acquire(temp_dir() / "index.lock", FileLock::Wait::kBlock, "");
  if (!lock) return std::unexpected(lock.error());
  auto index = read_index_json();
  if (!index) return std::unexpected(index.error());
  auto entries = JsonView(*index, "'" + (dir_ / "index.json").string() + "'").optional_array("manifests");
  if (!entries) return std::unexpected(entries.error());
  nlohmann::json manifests = nlohmann::json::array();
  for (const auto& entry : *entries) {
    auto name = ref_name_of(entry);
    if (!name) return std::unexpected(name.error());
    if (*name != ref) manifests.push_back(entry.raw());
  }
  if (descriptor) {
    nlohmann::json entry = descriptor_json(*descriptor);
    entry["annotations"] = {{kRefName, ref}};
    manifests.push_back(entry);
  }
  (*index)["schemaVersion"] = 2;
  (*index)["manifests"] = std::move(manifests);
  return write_file_atomic(dir_ / "index.json", dump_json(*index) + "\n");
}

}  // namespace ctapp
