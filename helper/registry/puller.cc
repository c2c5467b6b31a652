// SPDX-License-Identifier: LGPL-2.1-or-later
#include "registry/puller.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "registry/pull_progress.h"
#include "store/image_import.h"
#include "store/oci_archive.h"
#include "unpack/unpack.h"

namespace ctapp {
namespace {

constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";

struct BlobToFetch {
  std::string digest;
  int64_t size = 0;
};

bool is_index(const FetchedManifest& manifest, const nlohmann::json& json) {
  return manifest.media_type == kOciIndex || manifest.media_type == kDockerList ||
         (json.contains("manifests") && !json.contains("layers"));
}

// The entry of an index for `platform`, skipping attestations (unknown/unknown).
Result<Descriptor> choose_platform(const nlohmann::json& index, const Platform& platform,
                                   const std::string& name) {
  std::vector<std::string> offered;
  for (const auto& entry : index.value("manifests", nlohmann::json::array())) {
    auto descriptor = parse_descriptor(entry);
    if (!descriptor || !descriptor->platform.is_object()) continue;
    std::string os = descriptor->platform.value("os", "");
    std::string architecture = descriptor->platform.value("architecture", "");
    std::string variant = descriptor->platform.value("variant", "");
    if (os == "unknown") continue;
    if (os == platform.os && architecture == platform.architecture &&
        (platform.variant.empty() || variant.empty() || variant == platform.variant))
      return *descriptor;
    offered.push_back(os + "/" + architecture + (variant.empty() ? "" : "/" + variant));
  }
  return fail("{} has no image for {} (it has {}); choose one with --platform", name,
              platform.to_string(), offered.empty() ? "none" : fmt::format("{}", fmt::join(offered, ", ")));
}

std::string credentials_key(const std::string& host) {
  return host == "registry-1.docker.io" ? "docker.io" : host;
}

// Fetches `blobs` into the store with up to `parallel` connections of their own.
Status fetch_blobs(const PullSource& source, const RegistryClient& first, const PullRequest& request,
                   const OciLayout& store, const std::vector<BlobToFetch>& blobs, PullProgress& progress) {
  std::mutex mutex;
  size_t next = 0;
  std::optional<Error> failure;
  auto worker = [&](std::optional<RegistryClient> client) {
    while (true) {
      BlobToFetch blob;
      {
        std::lock_guard lock(mutex);
        if (failure || next >= blobs.size()) return;
        blob = blobs[next++];
      }
      if (!client) {
        auto connected = RegistryClient::connect(source, first.credentials(), request.options);
        if (!connected) {
          std::lock_guard lock(mutex);
          failure = connected.error();
          return;
        }
        client = std::move(*connected);
        client->share_authorization(first);
      }
      auto temp = store.temp_dir() / fmt::format("pull-{}-{}", blob.digest.substr(7, 16), ::getpid());
      auto fetched = client->fetch_blob(blob.digest, blob.size, temp, &progress.downloaded);
      if (fetched) fetched = store.add_verified_blob(temp, blob.digest);
      if (!fetched) {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        std::lock_guard lock(mutex);
        if (!failure) failure = fetched.error();
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  size_t count = std::min<size_t>(static_cast<size_t>(std::max(request.parallel_layers, 1)), blobs.size());
  for (size_t i = 0; i < count; ++i) threads.emplace_back(worker, std::nullopt);
  for (auto& thread : threads) thread.join();
  if (failure) return std::unexpected(*failure);
  return {};
}

Result<PullResult> pull_from(const PullSource& source, const ImageReference& ref,
                             const PullRequest& request, const OciLayout& store) {
  auto credentials = find_credentials(request.auth_files, credentials_key(source.host));
  if (!credentials) return std::unexpected(credentials.error());
  auto client = RegistryClient::connect(source, *credentials, request.options);
  if (!client) return std::unexpected(client.error());
  std::string reference = ref.digest.empty() ? ref.tag : ref.digest;
  auto manifest = client->fetch_manifest(reference);
  if (!manifest) return std::unexpected(manifest.error());
  auto json = nlohmann::json::parse(manifest->bytes, nullptr, false);
  if (is_index(*manifest, json)) {
    auto chosen = choose_platform(json, request.platform, source.name + ":" + reference);
    if (!chosen) return std::unexpected(chosen.error());
    manifest = client->fetch_manifest(chosen->digest);
    if (!manifest) return std::unexpected(manifest.error());
    json = nlohmann::json::parse(manifest->bytes, nullptr, false);
  }
  if (!json.contains("config") || !json.contains("layers") || !json["layers"].is_array())
    return fail("{}: {} is not an image manifest ctapp can use (media type '{}')", source.name,
                manifest->digest, manifest->media_type);
  std::vector<BlobToFetch> blobs;
  int64_t total = 0;
  for (const auto* entry : {&json["config"]}) {
    auto descriptor = parse_descriptor(*entry);
    if (!descriptor) return std::unexpected(wrap(source.name, descriptor.error()));
    blobs.push_back({descriptor->digest, descriptor->size});
  }
  for (const auto& layer : json["layers"]) {
    auto descriptor = parse_descriptor(layer);
    if (!descriptor) return std::unexpected(wrap(source.name, descriptor.error()));
    if (!is_layer_media_type(descriptor->media_type))
      return fail("{}: layer {} has media type '{}', which ctapp cannot unpack", source.name,
                  descriptor->digest, descriptor->media_type);
    blobs.push_back({descriptor->digest, descriptor->size});
  }
  std::erase_if(blobs, [&](const BlobToFetch& blob) { return store.has_blob(blob.digest); });
  for (const auto& blob : blobs) total += blob.size;
  std::error_code error;
  std::filesystem::create_directories(store.temp_dir(), error);
  PullProgress progress(source.name + ":" + reference, total);
  if (auto fetched = fetch_blobs(source, *client, request, store, blobs, progress); !fetched)
    return std::unexpected(fetched.error());
  progress.finish();
  // The manifest last: an image is in the store only when all its blobs are.
  auto temp = store.temp_dir() / fmt::format("manifest-{}", ::getpid());
  if (auto written = write_file_atomic(temp, manifest->bytes); !written) return std::unexpected(written.error());
  if (!store.has_blob(manifest->digest)) {
    if (auto added = store.add_verified_blob(temp, manifest->digest); !added) return std::unexpected(added.error());
  } else {
    std::filesystem::remove(temp, error);
  }
  PullResult result;
  result.store_name = ref.store_name();
  result.manifest = {manifest->media_type, manifest->digest, static_cast<int64_t>(manifest->bytes.size()), {}};
  result.downloaded = progress.downloaded;
  result.source = source.name;
  if (auto set = store.set_ref(result.store_name, result.manifest); !set) return std::unexpected(set.error());
  return result;
}

// oci-archive:FILE[:TAG]: the archive (a tar of an OCI layout, compressed or
// not) is extracted into a private directory beside the store, with its own
// extractor (regular files and directories only, no layer semantics) and
// the unpack bounds, imported like an oci: layout, and removed again.
Result<PullResult> pull_from_archive(const ImageReference& ref, const PullRequest& request,
                                     const OciLayout& store) {
  auto limits = UnpackLimits::from_environment();
  if (!limits) return std::unexpected(limits.error());
  auto extracted = ExtractedArchive::extract(ref.path, store.temp_dir(),
                                             {limits->max_bytes, limits->max_entries});
  if (!extracted) return std::unexpected(extracted.error());
  auto layout = OciLayout::open(extracted->dir());
  if (!layout) return fail("'{}' is not an archive of an OCI image layout", ref.path);
  auto imported = import_image(*layout, ref.tag.empty() ? ref.digest : ref.tag, store,
                               ref.store_name(), request.platform);
  if (!imported) return std::unexpected(imported.error());
  return PullResult{ref.store_name(), *imported, 0, ref.path};
}

}  // namespace

Result<RegistriesConfig> load_machine_registries_config(const Paths& paths) {
  std::filesystem::path main = paths.under_root("/etc/containers/registries.conf");
  if (const char* file = std::getenv("CONTAINERS_REGISTRIES_CONF"); file && *file) main = file;
  return load_registries_config(main, paths.under_root("/etc/containers/registries.conf.d"));
}

Result<PullResult> pull_image(const PullRequest& request) {
  auto ref = parse_image_reference(request.reference);
  if (!ref) return std::unexpected(ref.error());
  auto store = OciLayout::open_or_create(request.paths.image_store());
  if (!store) return std::unexpected(store.error());
  if (ref->transport == ImageReference::Transport::kOciDir) {
    auto source = OciLayout::open(ref->path);
    if (!source) return std::unexpected(source.error());
    auto imported = import_image(*source, ref->tag.empty() ? ref->digest : ref->tag, *store,
                                 ref->store_name(), request.platform);
    if (!imported) return std::unexpected(imported.error());
    return PullResult{ref->store_name(), *imported, 0, ref->path};
  }
  if (ref->transport == ImageReference::Transport::kOciArchive) return pull_from_archive(*ref, request, *store);
  auto config = load_machine_registries_config(request.paths);
  if (!config) return std::unexpected(config.error());
  auto sources = pull_sources(*config, request.reference, *ref);
  if (!sources) return std::unexpected(sources.error());
  std::vector<std::string> errors;
  for (const auto& source : *sources) {
    auto pulled = pull_from(source, *ref, request, *store);
    if (pulled) return pulled;
    errors.push_back(pulled.error().message);
  }
  if (errors.size() == 1) return fail("pull {}: {}", request.reference, errors.front());
  return fail("pull {}: every source failed: {}", request.reference, fmt::join(errors, "; "));
}

}  // namespace ctapp
