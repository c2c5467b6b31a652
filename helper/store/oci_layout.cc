// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/oci_layout.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>

#include "core/atomic_file.h"
#include "runtime/file_lock.h"
#include "store/sha256.h"

namespace ctapp {
namespace {

constexpr const char* kRefName = "org.opencontainers.image.ref.name";
constexpr size_t kMaxJsonBlob = 4 << 20;
constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";

bool is_digest(const std::string& digest) {
  return digest.size() == 71 && digest.starts_with("sha256:") &&
         std::all_of(digest.begin() + 7, digest.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<nlohmann::json> parse_json(const std::string& text, const std::string& what) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return fail("{} is not a JSON object", what);
  return json;
}

bool matches(const nlohmann::json& platform, const Platform& wanted) {
  if (!platform.is_object()) return false;
  auto field = [&](const char* key) {
    return platform.contains(key) && platform[key].is_string() ? platform[key].get<std::string>()
                                                               : std::string();
  };
  if (field("os") != wanted.os || field("architecture") != wanted.architecture) return false;
  return wanted.variant.empty() || field("variant").empty() || field("variant") == wanted.variant;
}

}  // namespace

Platform Platform::current() {
  Platform platform;
  utsname name{};
  ::uname(&name);
  std::string machine = name.machine;
  if (machine == "x86_64") platform.architecture = "amd64";
  else if (machine == "aarch64") platform.architecture = "arm64", platform.variant = "v8";
  else if (machine.starts_with("armv7")) platform.architecture = "arm", platform.variant = "v7";
  else if (machine == "i686" || machine == "i386") platform.architecture = "386";
  else platform.architecture = machine;
  return platform;
}

Result<Platform> Platform::parse(const std::string& text) {
  Platform platform;
  auto first = text.find('/');
  if (first == std::string::npos || first == 0 || first + 1 == text.size())
    return fail("'{}' is not a platform: write OS/ARCH[/VARIANT], such as linux/arm64", text);
  platform.os = text.substr(0, first);
  auto second = text.find('/', first + 1);
  platform.architecture = text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  if (second != std::string::npos) platform.variant = text.substr(second + 1);
  return platform;
}

std::string Platform::to_string() const {
  return os + "/" + architecture + (variant.empty() ? "" : "/" + variant);
}

bool is_layer_media_type(const std::string& media_type) {
  static const char* const kTypes[] = {
      "application/vnd.oci.image.layer.v1.tar",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+zstd",
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"};
  return std::find(std::begin(kTypes), std::end(kTypes), media_type) != std::end(kTypes);
}

Result<Descriptor> parse_descriptor(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("digest") || !json["digest"].is_string() ||
      !json.contains("size") || !json["size"].is_number_integer())
    return fail("a descriptor lacks 'digest' or 'size'");
  Descriptor descriptor;
  descriptor.digest = json["digest"].get<std::string>();
  descriptor.size = json["size"].get<int64_t>();
  if (!is_digest(descriptor.digest))
    return fail("'{}' is not a sha256 digest ctapp can verify", descriptor.digest);
  if (descriptor.size < 0) return fail("descriptor {} has a negative size", descriptor.digest);
  if (json.contains("mediaType") && json["mediaType"].is_string())
    descriptor.media_type = json["mediaType"].get<std::string>();
  if (json.contains("platform")) descriptor.platform = json["platform"];
  return descriptor;
}

nlohmann::json descriptor_json(const Descriptor& descriptor) {
  nlohmann::json json = {{"mediaType", descriptor.media_type},
                         {"digest", descriptor.digest},
                         {"size", descriptor.size}};
  if (!descriptor.platform.is_null()) json["platform"] = descriptor.platform;
  return json;
}

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
  if (descriptor.size > static_cast<int64_t>(kMaxJsonBlob))
    return fail("blob {} is {} bytes, more than a manifest or config may be", descriptor.digest,
                descriptor.size);
  auto text = read_file(blob_path(descriptor.digest), kMaxJsonBlob);
  if (!text) return std::unexpected(text.error());
  auto hash = Sha256::create();
  if (!hash) return std::unexpected(hash.error());
  hash->update(text->data(), text->size());
  if (hash->digest() != descriptor.digest || static_cast<int64_t>(text->size()) != descriptor.size)
    return fail("blob {} in '{}' does not match its digest or size: the store is corrupt",
                descriptor.digest, dir_.string());
  return parse_json(*text, "blob " + descriptor.digest);
}

Result<std::vector<std::pair<std::string, Descriptor>>> OciLayout::refs() const {
  auto text = read_file(dir_ / "index.json", kMaxJsonBlob);
  if (!text) return std::unexpected(text.error());
  auto index = parse_json(*text, "'" + (dir_ / "index.json").string() + "'");
  if (!index) return std::unexpected(index.error());
  std::vector<std::pair<std::string, Descriptor>> refs;
  if (!index->contains("manifests") || !(*index)["manifests"].is_array()) return refs;
  for (const auto& entry : (*index)["manifests"]) {
    auto descriptor = parse_descriptor(entry);
    if (!descriptor) continue;
    std::string name;
    if (entry.contains("annotations") && entry["annotations"].is_object() &&
        entry["annotations"].contains(kRefName) && entry["annotations"][kRefName].is_string())
      name = entry["annotations"][kRefName].get<std::string>();
    refs.emplace_back(name, *descriptor);
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
  auto document = read_json_blob(descriptor);
  if (!document) return std::unexpected(document.error());
  std::string media_type = descriptor.media_type;
  if (document->contains("mediaType") && (*document)["mediaType"].is_string())
    media_type = (*document)["mediaType"].get<std::string>();
  if (media_type == kOciIndex || media_type == kDockerList || document->contains("manifests")) {
    if (!document->contains("manifests") || !(*document)["manifests"].is_array())
      return fail("index {} has no manifests", descriptor.digest);
    std::vector<std::string> offered;
    for (const auto& entry : (*document)["manifests"]) {
      auto candidate = parse_descriptor(entry);
      if (!candidate) continue;
      if (matches(candidate->platform, platform)) return load_image(*candidate, platform);
      if (candidate->platform.is_object() && candidate->platform.value("os", "") != "unknown")
        offered.push_back(candidate->platform.value("os", "?") + "/" +
                          candidate->platform.value("architecture", "?"));
    }
    return fail("image {} has no variant for {} (it has: {}); choose one with --platform",
                descriptor.digest, platform.to_string(), offered.empty() ? "none" : fmt::format("{}", fmt::join(offered, ", ")));
  }
  StoredImage image;
  image.manifest_digest = descriptor.digest;
  image.manifest = std::move(*document);
  if (!image.manifest.contains("config")) return fail("manifest {} has no config", descriptor.digest);
  auto config_descriptor = parse_descriptor(image.manifest["config"]);
  if (!config_descriptor) return std::unexpected(wrap("manifest " + descriptor.digest, config_descriptor.error()));
  auto config = read_json_blob(*config_descriptor);
  if (!config) return std::unexpected(config.error());
  image.config = std::move(*config);
  std::vector<std::string> diff_ids;
  if (image.config.contains("rootfs") && image.config["rootfs"].contains("diff_ids") &&
      image.config["rootfs"]["diff_ids"].is_array())
    for (const auto& id : image.config["rootfs"]["diff_ids"])
      if (id.is_string()) diff_ids.push_back(id.get<std::string>());
  if (!image.manifest.contains("layers") || !image.manifest["layers"].is_array())
    return fail("manifest {} has no layers", descriptor.digest);
  const auto& layers = image.manifest["layers"];
  if (layers.size() != diff_ids.size())
    return fail("manifest {} has {} layers but its config lists {} diff_ids", descriptor.digest,
                layers.size(), diff_ids.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    auto layer = parse_descriptor(layers[i]);
    if (!layer) return std::unexpected(wrap("manifest " + descriptor.digest, layer.error()));
    if (!is_layer_media_type(layer->media_type))
      return fail("layer {} has media type '{}', which ctapp cannot unpack", layer->digest,
                  layer->media_type);
    image.layers.push_back({*layer, diff_ids[i], blob_path(layer->digest)});
  }
  return image;
}

Status OciLayout::add_blob(const std::filesystem::path& file, const std::string& digest) const {
  std::error_code ignored;
  if (has_blob(digest)) {
    std::filesystem::remove(file, ignored);
    return {};
  }
  auto actual = sha256_of_file(file.string());
  if (!actual) return std::unexpected(actual.error());
  if (*actual != digest) {
    std::filesystem::remove(file, ignored);
    return fail("blob {} has the wrong content (its sha256 is {})", digest, *actual);
  }
  if (::rename(file.c_str(), blob_path(digest).c_str()) < 0)
    return fail("move blob {} into '{}': {}", digest, dir_.string(), errno_text(errno));
  return {};
}

Status OciLayout::add_verified_blob(const std::filesystem::path& file, const std::string& digest) const {
  if (!is_digest(digest)) return fail("'{}' is not a sha256 digest", digest);
  if (::rename(file.c_str(), blob_path(digest).c_str()) < 0)
    return fail("move blob {} into '{}': {}", digest, dir_.string(), errno_text(errno));
  return {};
}

Status OciLayout::set_ref(const std::string& ref, const Descriptor& descriptor) const {
  auto lock = FileLock::acquire(temp_dir() / "index.lock", FileLock::Wait::kBlock, "");
  if (!lock) return std::unexpected(lock.error());
  auto text = read_file(dir_ / "index.json", kMaxJsonBlob);
  if (!text) return std::unexpected(text.error());
  auto index = parse_json(*text, "'" + (dir_ / "index.json").string() + "'");
  if (!index) return std::unexpected(index.error());
  nlohmann::json manifests = nlohmann::json::array();
  if (index->contains("manifests") && (*index)["manifests"].is_array())
    for (const auto& entry : (*index)["manifests"])
      if (!(entry.contains("annotations") && entry["annotations"].is_object() &&
            entry["annotations"].value(kRefName, "") == ref))
        manifests.push_back(entry);
  nlohmann::json entry = descriptor_json(descriptor);
  entry["annotations"] = {{kRefName, ref}};
  manifests.push_back(entry);
  (*index)["schemaVersion"] = 2;
  (*index)["manifests"] = manifests;
  return write_file_atomic(dir_ / "index.json", index->dump() + "\n");
}

}  // namespace ctapp
