// SPDX-License-Identifier: LGPL-2.1-or-later
#include "registry/puller.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "registry/pull_progress.h"
#include "store/image_import.h"
#include "store/oci_archive.h"
#include "store/ref_name.h"
#include "store/temp_file.h"
#include "unpack/unpack.h"

namespace ctapp {
namespace {

struct BlobToFetch {
  std::string digest;
  int64_t size = 0;
};

Status write_whole(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(Error{errno_text(errno)});
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd) < 0) return std::unexpected(Error{errno_text(errno)});
  return {};
}

std::string credentials_key(const std::string& host) {
  return host == "registry-1.docker.io" ? "docker.io" : host;
}

// Fetches `blobs` into the store over up to `parallel` connections: the
// first client's own and others made from it before the threads start.
Status fetch_blobs(RegistryClient& first, const PullRequest& request, const OciLayout& store,
                   const std::vector<BlobToFetch>& blobs, PullProgress& progress) {
  size_t count = std::min<size_t>(static_cast<size_t>(std::max(request.parallel_layers, 1)), blobs.size());
  std::vector<RegistryClient> others;
  for (size_t i = 1; i < count; ++i) {
    auto client = first.another_connection();
    if (!client) return std::unexpected(client.error());
    others.push_back(std::move(*client));
  }
  std::mutex mutex;
  size_t next = 0;
  std::optional<Error> failure;
  auto worker = [&](RegistryClient* client) {
    while (true) {
      BlobToFetch blob;
      {
        std::lock_guard lock(mutex);
        if (failure || next >= blobs.size()) return;
        blob = blobs[next++];
      }
      // A name of its own per transfer, removed on every failure.
      auto temp = TempFile::create(store.temp_dir(), "pull");
      Status fetched = temp ? Status() : std::unexpected(temp.error());
      if (fetched) fetched = client->fetch_blob(blob.digest, blob.size, temp->path(), &progress.downloaded);
      if (fetched) fetched = store.add_verified_blob(temp->path(), blob.digest);
      if (fetched) temp->keep();
      if (!fetched) {
        std::lock_guard lock(mutex);
        if (!failure) failure = fetched.error();
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (auto& client : others) threads.emplace_back(worker, &client);
  worker(&first);
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
  // An index chooses the manifest for the platform; indexes in indexes are
  // followed only kMaxIndexDepth deep (a chain of thousands is an attack).
  for (int depth = 0; is_index_document(manifest->document, manifest->media_type); ++depth) {
    std::string what = fmt::format("{}: index {}", source.name, manifest->digest);
    if (depth >= kMaxIndexDepth)
      return fail("{} is nested in more than {} other indexes: not an image ctapp uses", what, kMaxIndexDepth);
    auto index = parse_image_index(manifest->document, what);
    if (!index) return std::unexpected(index.error());
    std::vector<std::optional<Platform>> platforms;
    for (const auto& entry : index->manifests) platforms.push_back(entry.platform);
    auto chosen = choose_platform(platforms, request.platform, source.name + ":" + reference);
    if (!chosen) return std::unexpected(chosen.error());
    manifest = client->fetch_manifest(index->manifests[*chosen].digest);
    if (!manifest) return std::unexpected(manifest.error());
  }
  if (request.resolve_only) {
    PullResult resolved;
    resolved.manifest = {manifest->media_type, manifest->digest, static_cast<int64_t>(manifest->bytes.size()), {}};
    resolved.source = source.name;
    return resolved;
  }
  auto image = parse_image_manifest(manifest->document, fmt::format("{}: manifest {}", source.name, manifest->digest));
  if (!image) return std::unexpected(image.error());
  // Each blob once, however often the manifest lists it (parallel fetches
  // of one blob would race for it).
  std::vector<BlobToFetch> blobs;
  std::set<std::string> listed;
  if (listed.insert(image->config.digest).second) blobs.push_back({image->config.digest, image->config.size});
  for (const auto& layer : image->layers)
    if (listed.insert(layer.digest).second) blobs.push_back({layer.digest, layer.size});
  int64_t total = 0;
  std::erase_if(blobs, [&](const BlobToFetch& blob) { return store.has_blob(blob.digest); });
  for (const auto& blob : blobs) total += blob.size;
  PullProgress progress(source.name + ":" + reference, total);
  if (auto fetched = fetch_blobs(*client, request, store, blobs, progress); !fetched)
    return std::unexpected(fetched.error());
  progress.finish();
  // The manifest last: an image is in the store only when all its blobs are.
  if (!store.has_blob(manifest->digest)) {
    auto temp = TempFile::create(store.temp_dir(), "manifest");
    if (!temp) return std::unexpected(temp.error());
    if (auto written = write_whole(temp->fd(), manifest->bytes); !written)
      return fail("write '{}': {}", temp->path().string(), written.error().message);
    if (auto added = store.add_verified_blob(temp->path(), manifest->digest); !added) return std::unexpected(added.error());
    temp->keep();
  }
  PullResult result;
  result.store_name = store_ref_name(ref, request.platform);
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
                               store_ref_name(ref, request.platform), request.platform);
  if (!imported) return std::unexpected(imported.error());
  return PullResult{store_ref_name(ref, request.platform), *imported, 0, ref.path};
}

// The root whose registries.conf applies: the request's, or with
// host_registries_fallback the build machine's when the root has none.
Paths registries_conf_paths(const PullRequest& request) {
  if (!request.host_registries_fallback) return request.paths;
  std::error_code error;
  for (const char* path : {"/etc/containers/registries.conf", "/etc/containers/registries.conf.d"})
    if (std::filesystem::exists(request.paths.under_root(path), error)) return request.paths;
  Paths machine = request.paths;
  machine.root = "/";
  return machine;
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
  // Blobs are added before index.json names them: `ctapp gc` must wait.
  auto blobs_in_use = store->lock_blobs(false);
  if (!blobs_in_use) return std::unexpected(blobs_in_use.error());
  if (auto swept = store->sweep_temp_files(); !swept) return std::unexpected(swept.error());
  if (request.resolve_only && ref->transport != ImageReference::Transport::kDocker)
    return fail("'{}' is not a registry reference: there is no registry to ask", request.reference);
  if (ref->transport == ImageReference::Transport::kOciDir) {
    auto source = OciLayout::open(ref->path);
    if (!source) return std::unexpected(source.error());
    auto imported = import_image(*source, ref->tag.empty() ? ref->digest : ref->tag, *store,
                                 store_ref_name(*ref, request.platform), request.platform);
    if (!imported) return std::unexpected(imported.error());
    return PullResult{store_ref_name(*ref, request.platform), *imported, 0, ref->path};
  }
  if (ref->transport == ImageReference::Transport::kOciArchive) return pull_from_archive(*ref, request, *store);
  auto config = load_machine_registries_config(registries_conf_paths(request));
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
