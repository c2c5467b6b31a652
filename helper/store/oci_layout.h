// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/file_lock.h"
#include "core/result.h"
#include "store/image_json.h"
#include "store/platform.h"

namespace ctapp {

struct StoredLayer {
  Descriptor descriptor;
  std::string diff_id;           // from the image config's rootfs.diff_ids
  std::filesystem::path blob;
};

// One image resolved in a layout: manifest, config and layers, all checked
// against their digests when read.
struct StoredImage {
  std::string manifest_digest;
  std::string media_type;        // of the manifest
  Descriptor config_descriptor;
  nlohmann::json config;         // the image config blob (has "config", "rootfs", ...)
  std::vector<StoredLayer> layers;
};

// An OCI image layout directory (oci-layout, index.json, blobs/sha256/):
// ctapp's store, or one written by skopeo or umoci. Readers get only blobs
// whose content matched their digest.
class OciLayout {
 public:
  // Opens an existing layout; fails if `dir` is not one.
  static Result<OciLayout> open(const std::filesystem::path& dir);
  // Opens the layout, creating an empty one first if `dir` has none.
  static Result<OciLayout> open_or_create(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path blob_path(const std::string& digest) const;
  bool has_blob(const std::string& digest) const;

  // Reads a JSON blob (manifest, index, config) and checks its digest.
  Result<nlohmann::json> read_json_blob(const Descriptor& descriptor) const;

  // The manifest descriptor named `ref` in index.json
  // (org.opencontainers.image.ref.name), or nothing.
  Result<std::optional<Descriptor>> find_ref(const std::string& ref) const;
  // Every (ref name, descriptor) of index.json.
  Result<std::vector<std::pair<std::string, Descriptor>>> refs() const;

  // Resolves `descriptor` (a manifest, or an index from which the entry for
  // `platform` is chosen, skipping attestations; indexes in indexes at most
  // kMaxIndexDepth deep) into a StoredImage.
  Result<StoredImage> load_image(const Descriptor& descriptor, const Platform& platform) const;

  // Moves `file` into blobs/ as `digest` without reading it again: for
  // callers that hashed it while writing it (a pull).
  Status add_verified_blob(const std::filesystem::path& file, const std::string& digest) const;
  // A place for temporary files on the store's filesystem, outside blobs/.
  std::filesystem::path temp_dir() const { return dir_ / ".ctapp-tmp"; }
  // Removes the temporary files (pull-*, import-*, manifest-*) of pulls and
  // imports that died; those of live ones stay (temp_file.h).
  Status sweep_temp_files() const;

  // Points `ref` at `descriptor` in index.json (replacing an older entry of
  // that name), under a lock, written atomically.
  Status set_ref(const std::string& ref, const Descriptor& descriptor) const;
  // Drops `ref` from index.json (nothing if it is not there); its blobs stay
  // until a gc finds no other ref reaches them.
  Status remove_ref(const std::string& ref) const;
  // Held shared by whatever adds blobs before it names them in index.json
  // (a pull, an import, an unpack reading them) and exclusively by
  // `ctapp gc` while it removes the blobs no ref reaches.
  Result<FileLock> lock_blobs(bool exclusive) const;

 private:
  Result<StoredImage> load_image_at(const Descriptor& descriptor, const Platform& platform, int depth) const;
  Result<nlohmann::json> read_index_json() const;
  Status replace_ref(const std::string& ref, const Descriptor* descriptor) const;

  std::filesystem::path dir_;
};

}  // namespace ctapp
