// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>

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
  // `budget` must outlive the stream.
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
  LayerStream() = default;
  static ssize_t read_blob(archive*, void* self, const void** buffer);
  static ssize_t read_decompressed(archive*, void* self, const void** buffer);
  // Counts `n` more decompressed bytes; false once past the bound.
  bool count_decompressed(size_t n);

  UniqueFd fd_;
  std::optional<Sha256> blob_hash_;
  std::optional<Sha256> diff_hash_;
  archive* raw_ = nullptr;  // decompression only (format "raw")
  archive* tar_ = nullptr;  // tar parsing of raw_'s output
  std::unique_ptr<char[]> blob_buffer_;
  std::unique_ptr<char[]> data_buffer_;
  bool raw_done_ = false;
  std::string raw_error_;
  ByteBudget* budget_ = nullptr;
};

}  // namespace ctapp
