// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/image_import.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/unique_fd.h"
#include "store/sha256.h"
#include "store/temp_file.h"

namespace ctapp {
namespace {

Status write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(Error{errno_text(errno)});
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return {};
}

// Copies one blob into the store through a temporary file that is removed
// on every failure (a full disk must not stay full), hashing it on the way.
Status copy_blob(const OciLayout& source, const OciLayout& store, const std::string& digest) {
  if (store.has_blob(digest)) return {};
  auto from = source.blob_path(digest);
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!in.valid()) return fail("open blob '{}': {}", from.string(), errno_text(errno));
  struct stat st;
  if (::fstat(in.get(), &st) < 0 || !S_ISREG(st.st_mode))
    return fail("blob '{}' is not a regular file", from.string());
  auto temp = TempFile::create(store.temp_dir(), "import");
  if (!temp) return std::unexpected(temp.error());
  auto hash = Sha256::create();
  if (!hash) return std::unexpected(hash.error());
  char buffer[1 << 16];
  while (true) {
    ssize_t n = ::read(in.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("read blob '{}': {}", from.string(), errno_text(errno));
    if (n == 0) break;
    if (auto written = write_all(temp->fd(), buffer, static_cast<size_t>(n)); !written)
      return fail("copy blob {} into '{}': {}", digest, store.dir().string(), written.error().message);
    hash->update(buffer, static_cast<size_t>(n));
  }
  if (::fsync(temp->fd()) < 0)
    return fail("copy blob {} into '{}': {}", digest, store.dir().string(), errno_text(errno));
  if (std::string actual = hash->digest(); actual != digest)
    return fail("blob {} of '{}' has the wrong content (its sha256 is {})", digest, source.dir().string(), actual);
  if (auto added = store.add_verified_blob(temp->path(), digest); !added) return added;
  temp->keep();
  return {};
}

}  // namespace

Result<Descriptor> import_image(const OciLayout& source, const std::string& source_ref,
                                const OciLayout& store, const std::string& store_ref,
                                const Platform& platform) {
  std::string name = source_ref.empty() ? "latest" : source_ref;
  auto descriptor = source.find_ref(name);
  if (!descriptor) return std::unexpected(descriptor.error());
  if (!*descriptor)
    return fail("'{}' has no image named '{}' (see its index.json)", source.dir().string(), name);
  auto image = source.load_image(**descriptor, platform);
  if (!image) return std::unexpected(image.error());
  std::vector<std::string> digests = {image->manifest_digest, image->config_descriptor.digest};
  for (const auto& layer : image->layers) digests.push_back(layer.descriptor.digest);
  for (const auto& digest : digests)
    if (auto copied = copy_blob(source, store, digest); !copied) return std::unexpected(copied.error());
  std::error_code error;
  auto size = std::filesystem::file_size(store.blob_path(image->manifest_digest), error);
  if (error) return fail("'{}': {}", store.blob_path(image->manifest_digest).string(), error.message());
  Descriptor manifest;
  manifest.digest = image->manifest_digest;
  manifest.size = static_cast<int64_t>(size);
  manifest.media_type = image->media_type;
  if (auto set = store.set_ref(store_ref, manifest); !set) return std::unexpected(set.error());
  return manifest;
}

}  // namespace ctapp
