// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/image_json.h"

#include <algorithm>
#include <limits>

#include "store/media_types.h"

namespace ctapp {
namespace {

Result<std::optional<Platform>> parse_platform(const JsonView& descriptor) {
  auto object = descriptor.optional_object("platform");
  if (!object) return std::unexpected(object.error());
  if (!*object) return std::optional<Platform>();
  Platform platform;
  auto os = (*object)->string("os");
  if (!os) return std::unexpected(os.error());
  auto architecture = (*object)->string("architecture");
  if (!architecture) return std::unexpected(architecture.error());
  auto variant = (*object)->optional_string("variant");
  if (!variant) return std::unexpected(variant.error());
  platform.os = std::move(*os);
  platform.architecture = std::move(*architecture);
  platform.variant = variant->value_or("");
  return std::optional<Platform>(std::move(platform));
}

Result<std::string> optional_media_type(const JsonView& json) {
  auto media_type = json.optional_string("mediaType");
  if (!media_type) return std::unexpected(media_type.error());
  return media_type->value_or("");
}

}  // namespace

bool is_digest(const std::string& digest) {
  return digest.size() == 71 && digest.starts_with("sha256:") &&
         std::all_of(digest.begin() + 7, digest.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<nlohmann::json> parse_image_json(std::string_view text, const std::string& what) {
  auto json = parse_json(text, what, {.max_size = kMaxImageJson});
  if (!json) return json;
  if (auto object = JsonView(*json, what).expect_object(); !object) return std::unexpected(object.error());
  return json;
}

bool is_index_document(const nlohmann::json& document, const std::string& media_type) {
  std::string own;
  if (document.is_object()) {
    auto found = document.find("mediaType");
    if (found != document.end() && found->is_string()) own = found->get<std::string>();
  }
  if (!own.empty()) return is_index_media_type(own);
  if (is_index_media_type(media_type)) return true;
  return document.is_object() && document.contains("manifests") && !document.contains("layers");
}

Result<Descriptor> parse_descriptor(const JsonView& json) {
  if (auto object = json.expect_object(); !object) return std::unexpected(object.error());
  Descriptor descriptor;
  auto digest = json.string("digest");
  if (!digest) return std::unexpected(digest.error());
  if (!is_digest(*digest))
    return fail("{}: '{}' is '{}', not a sha256 digest ctapp can verify", json.context(),
                json.field_name("digest"), *digest);
  auto size = json.integer("size", 0, std::numeric_limits<int64_t>::max());
  if (!size) return std::unexpected(size.error());
  auto media_type = optional_media_type(json);
  if (!media_type) return std::unexpected(media_type.error());
  auto platform = parse_platform(json);
  if (!platform) return std::unexpected(platform.error());
  descriptor.digest = std::move(*digest);
  descriptor.size = *size;
  descriptor.media_type = std::move(*media_type);
  descriptor.platform = std::move(*platform);
  return descriptor;
}

Result<ImageIndex> parse_image_index(const nlohmann::json& document, const std::string& what) {
  JsonView json(document, what);
  if (auto object = json.expect_object(); !object) return std::unexpected(object.error());
  ImageIndex index;
  auto media_type = optional_media_type(json);
  if (!media_type) return std::unexpected(media_type.error());
  index.media_type = std::move(*media_type);
  auto entries = json.array("manifests");
  if (!entries) return std::unexpected(entries.error());
  for (const auto& entry : *entries) {
    auto descriptor = parse_descriptor(entry);
    if (!descriptor) return std::unexpected(descriptor.error());
    index.manifests.push_back(std::move(*descriptor));
  }
  return index;
}

Result<ImageManifest> parse_image_manifest(const nlohmann::json& document, const std::string& what) {
  JsonView json(document, what);
  if (auto object = json.expect_object(); !object) return std::unexpected(object.error());
  ImageManifest manifest;
  auto media_type = optional_media_type(json);
  if (!media_type) return std::unexpected(media_type.error());
  manifest.media_type = std::move(*media_type);
  auto config = json.object("config");
  if (!config) return std::unexpected(config.error());
  auto config_descriptor = parse_descriptor(*config);
  if (!config_descriptor) return std::unexpected(config_descriptor.error());
  manifest.config = std::move(*config_descriptor);
  auto layers = json.array("layers");
  if (!layers) return std::unexpected(layers.error());
  for (const auto& entry : *layers) {
    auto layer = parse_descriptor(entry);
    if (!layer) return std::unexpected(layer.error());
    if (!is_layer_media_type(layer->media_type))
      return fail("{}: layer {} has media type '{}', which ctapp cannot unpack", what, layer->digest,
                  layer->media_type);
    manifest.layers.push_back(std::move(*layer));
  }
  return manifest;
}

Result<ImageConfig> parse_image_config(const nlohmann::json& document, const std::string& what) {
  JsonView json(document, what);
  if (auto object = json.expect_object(); !object) return std::unexpected(object.error());
  ImageConfig config;
  auto rootfs = json.object("rootfs");
  if (!rootfs) return std::unexpected(rootfs.error());
  auto diff_ids = rootfs->strings("diff_ids");
  if (!diff_ids) return std::unexpected(diff_ids.error());
  config.diff_ids = std::move(*diff_ids);
  // The runtime part ("config": Env, Cmd, ...) may be absent; when present
  // it must be an object, as the bundle reads it field by field.
  if (auto runtime = json.optional_object("config"); !runtime) return std::unexpected(runtime.error());
  return config;
}

nlohmann::json descriptor_json(const Descriptor& descriptor) {
  nlohmann::json json = {{"mediaType", descriptor.media_type},
                         {"digest", descriptor.digest},
                         {"size", descriptor.size}};
  if (descriptor.platform) {
    json["platform"] = {{"os", descriptor.platform->os}, {"architecture", descriptor.platform->architecture}};
    if (!descriptor.platform->variant.empty()) json["platform"]["variant"] = descriptor.platform->variant;
  }
  return json;
}

}  // namespace ctapp
