// SPDX-License-Identifier: LGPL-2.1-or-later
#include "unpack/layer_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <archive.h>
#include <archive_entry.h>

#include "store/archive_error.h"

namespace ctapp {
namespace {

constexpr size_t kBufferSize = 1 << 20;

}  // namespace

Result<std::unique_ptr<LayerStream>> LayerStream::open(const std::filesystem::path& blob,
                                                       ByteBudget& budget) {
  std::unique_ptr<LayerStream> stream(new LayerStream());
  stream->budget_ = &budget;
  stream->fd_.reset(::open(blob.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!stream->fd_.valid()) return fail("open '{}': {}", blob.string(), errno_text(errno));
  struct stat st;
  if (::fstat(stream->fd_.get(), &st) < 0 || !S_ISREG(st.st_mode))
    return fail("'{}' is not a regular file", blob.string());
  auto blob_hash = Sha256::create();
  auto diff_hash = Sha256::create();
  if (!blob_hash || !diff_hash) return fail("cannot initialise sha256");
  stream->blob_hash_ = std::move(*blob_hash);
  stream->diff_hash_ = std::move(*diff_hash);
  stream->blob_buffer_.reset(new char[kBufferSize]);
  stream->data_buffer_.reset(new char[kBufferSize]);

  stream->raw_ = archive_read_new();
  archive_read_support_filter_gzip(stream->raw_);
  archive_read_support_filter_zstd(stream->raw_);
  archive_read_support_format_raw(stream->raw_);
  if (archive_read_open(stream->raw_, stream.get(), nullptr, &LayerStream::read_blob, nullptr) !=
      ARCHIVE_OK)
    return fail("'{}': {}", blob.string(), archive_error(stream->raw_));
  archive_entry* raw_entry = nullptr;
  if (archive_read_next_header(stream->raw_, &raw_entry) != ARCHIVE_OK)
    return fail("'{}': {}", blob.string(), archive_error(stream->raw_));

  stream->tar_ = archive_read_new();
  archive_read_support_format_tar(stream->tar_);
  if (archive_read_open(stream->tar_, stream.get(), nullptr, &LayerStream::read_decompressed,
                        nullptr) != ARCHIVE_OK)
    return fail("'{}' is not a tar layer: {}", blob.string(), archive_error(stream->tar_));
  return stream;
}

LayerStream::~LayerStream() {
  if (tar_) archive_read_free(tar_);
  if (raw_) archive_read_free(raw_);
}

ssize_t LayerStream::read_blob(archive* a, void* self, const void** buffer) {
  auto* stream = static_cast<LayerStream*>(self);
  ssize_t n;
  do {
    n = ::read(stream->fd_.get(), stream->blob_buffer_.get(), kBufferSize);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    archive_set_error(a, errno, "read: %s", errno_text(errno).c_str());
    return -1;
  }
  stream->blob_hash_->update(stream->blob_buffer_.get(), static_cast<size_t>(n));
  *buffer = stream->blob_buffer_.get();
  return n;
}

ssize_t LayerStream::read_decompressed(archive* a, void* self, const void** buffer) {
  auto* stream = static_cast<LayerStream*>(self);
  if (stream->raw_done_) return 0;
  la_ssize_t n = archive_read_data(stream->raw_, stream->data_buffer_.get(), kBufferSize);
  if (n < 0) {
    stream->raw_error_ = archive_error(stream->raw_);
    archive_set_error(a, EIO, "decompression failed: %s", stream->raw_error_.c_str());
    return -1;
  }
  if (n == 0) stream->raw_done_ = true;
  if (!stream->count_decompressed(static_cast<size_t>(n))) {
    archive_set_error(a, EFBIG, "more bytes decompressed than the bound allows");
    return -1;
  }
  stream->diff_hash_->update(stream->data_buffer_.get(), static_cast<size_t>(n));
  *buffer = stream->data_buffer_.get();
  return n;
}

bool LayerStream::count_decompressed(size_t n) {
  budget_->used += n;
  if (budget_->used > budget_->max) budget_->exceeded = true;
  return !budget_->exceeded;
}

Result<archive_entry*> LayerStream::next_entry() {
  archive_entry* entry = nullptr;
  int status = archive_read_next_header(tar_, &entry);
  if (status == ARCHIVE_EOF) return nullptr;
  if (status < ARCHIVE_WARN) return fail("{}", archive_error(tar_));
  return entry;
}

Result<std::pair<std::string, std::string>> LayerStream::finish() {
  // The tar reader may stop at the end-of-archive blocks: the digests cover
  // every byte, so read the rest of both streams.
  while (!raw_done_) {
    la_ssize_t n = archive_read_data(raw_, data_buffer_.get(), kBufferSize);
    if (n < 0) return fail("decompression failed: {}", archive_error(raw_));
    if (n == 0) break;
    if (!count_decompressed(static_cast<size_t>(n)))
      return fail("more than {} bytes decompressed", budget_->max);
    diff_hash_->update(data_buffer_.get(), static_cast<size_t>(n));
  }
  raw_done_ = true;
  while (true) {
    ssize_t n = ::read(fd_.get(), blob_buffer_.get(), kBufferSize);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("read: {}", errno_text(errno));
    if (n == 0) break;
    blob_hash_->update(blob_buffer_.get(), static_cast<size_t>(n));
  }
  return std::pair{blob_hash_->digest(), diff_hash_->digest()};
}

}  // namespace ctapp
