// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/image_import.h"

#include <unistd.h>

#include <filesystem>
#include <random>

namespace ctapp {
namespace {

Status copy_blob(const OciLayout& source, const OciLayout& store, const std::string& digest) {
  if (store.has_blob(digest)) return {};
  std::error_code error;
  std::filesystem::create_directories(store.temp_dir(), error);
  auto temp = store.temp_dir() / ("import-" + digest.substr(7, 16) + "-" + std::to_string(::getpid()));
  std::filesystem::copy_file(source.blob_path(digest), temp,
                             std::filesystem::copy_options::overwrite_existing, error);
  if (error)
    return fail("copy blob {} from '{}': {}", digest, source.dir().string(), error.message());
  return store.add_blob(temp, digest);
}

}  // namespace

Result<Descriptor> import_image(const OciLayout& source, const std::string& source_ref,
                                const OciLayout& store, const std::string& store_ref,
                                const Platform& platform) {
  auto descriptor = source.find_ref(source_ref.empty() ? "latest" : source_ref);
  if (!descriptor) return std::unexpected(descriptor.error());
  if (!*descriptor)
    return fail("'{}' has no image named '{}' (see its index.json)", source.dir().string(), source_ref);
  auto image = source.load_image(**descriptor, platform);
  if (!image) return std::unexpected(image.error());
  auto config = parse_descriptor(image->manifest["config"]);
  if (!config) return std::unexpected(config.error());
  std::vector<std::string> digests = {image->manifest_digest, config->digest};
  for (const auto& layer : image->layers) digests.push_back(layer.descriptor.digest);
  for (const auto& digest : digests)
    if (auto copied = copy_blob(source, store, digest); !copied) return std::unexpected(copied.error());
  Descriptor manifest;
  manifest.digest = image->manifest_digest;
  manifest.size = static_cast<int64_t>(std::filesystem::file_size(store.blob_path(manifest.digest)));
  manifest.media_type = image->manifest.value("mediaType", "application/vnd.oci.image.manifest.v1+json");
  if (auto set = store.set_ref(store_ref, manifest); !set) return std::unexpected(set.error());
  return manifest;
}

}  // namespace ctapp
