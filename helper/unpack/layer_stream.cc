// SPDX-License-Identifier: LGPL-2.1-or-later
#include "unpack/layer_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <archive.h>
#include <archive_entry.h>

#include "store/archive_error.h"

namespace ctapp {
namespace {

constexpr size_t kBlobBufferSize = 1 << 20;
// Small enough that the tar reader starts on the first files early, large
// enough that handing a chunk over costs nothing next to filling it.
constexpr size_t kChunkSize = 256 << 10;
constexpr size_t kChunks = 4;

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
  stream->blob_buffer_.reset(new char[kBlobBufferSize]);
  for (size_t i = 0; i < kChunks; ++i) {
    stream->chunks_.push_back({std::unique_ptr<char[]>(new char[kChunkSize]), 0});
    stream->free_.push_back(i);
  }

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

  try {
    stream->thread_ = std::thread(&LayerStream::decompress, stream.get());
  } catch (const std::system_error& error) {
    return fail("'{}': cannot start a thread to decompress it: {}", blob.string(), error.what());
  }
  stream->tar_ = archive_read_new();
  archive_read_support_format_tar(stream->tar_);
  if (archive_read_open(stream->tar_, stream.get(), nullptr, &LayerStream::read_decompressed,
                        nullptr) != ARCHIVE_OK)
    return fail("'{}' is not a tar layer: {}", blob.string(), archive_error(stream->tar_));
  return stream;
}

LayerStream::~LayerStream() {
  stop();
  if (tar_) archive_read_free(tar_);
  if (raw_) archive_read_free(raw_);
}

void LayerStream::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ssize_t LayerStream::read_blob(archive* a, void* self, const void** buffer) {
  auto* stream = static_cast<LayerStream*>(self);
  ssize_t n;
  do {
    n = ::read(stream->fd_.get(), stream->blob_buffer_.get(), kBlobBufferSize);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    archive_set_error(a, errno, "read: %s", errno_text(errno).c_str());
    return -1;
  }
  stream->blob_hash_->update(stream->blob_buffer_.get(), static_cast<size_t>(n));
  *buffer = stream->blob_buffer_.get();
  return n;
}

void LayerStream::decompress() {
  while (true) {
    size_t index;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || !free_.empty(); });
      if (stopping_) break;
      index = free_.back();
      free_.pop_back();
    }
    Chunk& chunk = chunks_[index];
    la_ssize_t n = archive_read_data(raw_, chunk.data.get(), kChunkSize);
    std::string error;
    int code = 0;
    if (n < 0) {
      error = std::string("decompression failed: ") + archive_error(raw_);
      code = EIO;
    } else if (!count_decompressed(static_cast<size_t>(n))) {
      error = "more bytes decompressed than the bound allows";
      code = EFBIG;
    } else {
      diff_hash_->update(chunk.data.get(), static_cast<size_t>(n));
    }
    bool end = n <= 0 || !error.empty();
    {
      std::lock_guard lock(mutex_);
      if (end) {
        free_.push_back(index);
        error_ = std::move(error);
        error_code_ = code;
      } else {
        chunk.size = static_cast<size_t>(n);
        filled_.push_back(index);
      }
    }
    changed_.notify_all();
    if (end) break;
  }
  std::lock_guard lock(mutex_);
  ended_ = true;
  changed_.notify_all();
}

ssize_t LayerStream::read_decompressed(archive* a, void* self, const void** buffer) {
  auto* stream = static_cast<LayerStream*>(self);
  std::unique_lock lock(stream->mutex_);
  if (stream->reading_) {
    stream->free_.push_back(*stream->reading_);
    stream->reading_.reset();
    stream->changed_.notify_all();
  }
  stream->changed_.wait(lock, [stream] { return stream->ended_ || !stream->filled_.empty(); });
  if (!stream->filled_.empty()) {
    size_t index = stream->filled_.front();
    stream->filled_.pop_front();
    stream->reading_ = index;
    *buffer = stream->chunks_[index].data.get();
    return static_cast<ssize_t>(stream->chunks_[index].size);
  }
  if (!stream->error_.empty()) {
    archive_set_error(a, stream->error_code_, "%s", stream->error_.c_str());
    return -1;
  }
  return 0;
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
  // every byte, so the thread decompresses the rest, its chunks dropped here.
  {
    std::unique_lock lock(mutex_);
    while (true) {
      if (reading_) free_.push_back(*reading_);
      reading_.reset();
      free_.insert(free_.end(), filled_.begin(), filled_.end());
      filled_.clear();
      changed_.notify_all();
      if (ended_) break;
      changed_.wait(lock, [this] { return ended_ || !filled_.empty(); });
    }
  }
  thread_.join();
  if (!error_.empty()) return fail("{}", error_);
  while (true) {
    ssize_t n = ::read(fd_.get(), blob_buffer_.get(), kBlobBufferSize);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("read: {}", errno_text(errno));
    if (n == 0) break;
    blob_hash_->update(blob_buffer_.get(), static_cast<size_t>(n));
  }
  return std::pair{blob_hash_->digest(), diff_hash_->digest()};
}

}  // namespace ctapp
