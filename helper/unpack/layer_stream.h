// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/unique_fd.h"
#include "store/sha256.h"

struct archive;
struct archive_entry;

namespace ctapp {

// One layer blob read as a tar stream in a single pass: the blob's bytes
// are hashed (the layer digest), libarchive decompresses whatever the
// compression (gzip, zstd, none, ...), and the decompressed bytes are hashed
// again (the diff_id) on their way into the tar reader.
//
// Reading, decompressing and hashing run on a thread of their own, a few
// chunks ahead of the tar reader, so that on two cores the decompression
// overlaps the writing of the files (inflate and sha256 are a third of a
// small image's unpack).
//
// Every decompressed byte is counted in a budget shared by the layers of
// one image: past its bound reading fails and `exceeded` is set, so a
// decompression bomb ends in an error instead of filling the disk.
struct ByteBudget {
  uint64_t max = 0;
  uint64_t used = 0;
  bool exceeded = false;
};

class LayerStream {
 public:
  // Fails if `blob` is not a regular file (opened without following a link).
  // `budget` must outlive the stream, and is read only after the stream is
  // gone (the decompressing thread counts in it).
  static Result<std::unique_ptr<LayerStream>> open(const std::filesystem::path& blob,
                                                   ByteBudget& budget);
  ~LayerStream();
  LayerStream(const LayerStream&) = delete;
  LayerStream& operator=(const LayerStream&) = delete;

  // The next entry, or nullptr at the end of the tar stream.
  Result<archive_entry*> next_entry();
  // The tar reader, for reading the current entry's data.
  archive* tar() const { return tar_; }

  // Reads to the end of the blob and returns {digest, diff_id}.
  Result<std::pair<std::string, std::string>> finish();

 private:
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t size = 0;
  };

  LayerStream() = default;
  static ssize_t read_blob(archive*, void* self, const void** buffer);
  static ssize_t read_decompressed(archive*, void* self, const void** buffer);
  // The decompressing thread: fills free chunks until the end, an error
  // or stop().
  void decompress();
  // Counts `n` more decompressed bytes; false once past the bound.
  bool count_decompressed(size_t n);
  // Ends the decompressing thread (it stops at its next chunk) and joins it.
  void stop();

  UniqueFd fd_;
  std::optional<Sha256> blob_hash_;
  std::optional<Sha256> diff_hash_;
  archive* raw_ = nullptr;  // decompression only (format "raw"), on the thread
  archive* tar_ = nullptr;  // tar parsing of raw_'s output, on the caller's thread
  std::unique_ptr<char[]> blob_buffer_;
  ByteBudget* budget_ = nullptr;

  // Between the two threads, under mutex_.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Chunk> chunks_;
  std::vector<size_t> free_;      // chunks the thread may fill
  std::deque<size_t> filled_;     // chunks with data, in stream order
  std::optional<size_t> reading_; // the chunk the tar reader holds
  bool ended_ = false;            // the thread is done: end of stream or error
  std::string error_;             // why it ended early
  int error_code_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ctapp
