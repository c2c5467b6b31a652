// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace ctapp {

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  nlohmann::json platform;  // for index entries
};

struct StoredLayer {
  Descriptor descriptor;
  std::string diff_id;           // from the image config's rootfs.diff_ids
  std::filesystem::path blob;
};

// One image resolved in a layout: manifest, config and layers, all checked
// against their digests when read.
struct StoredImage {
  std::string manifest_digest;
  nlohmann::json manifest;
  nlohmann::json config;         // the image config blob (has "config", "rootfs", ...)
  std::vector<StoredLayer> layers;
};

// "linux/amd64" and friends: the running machine, or an explicit choice.
struct Platform {
  std::string os = "linux";
  std::string architecture;
  std::string variant;
  static Platform current();
  // "os/arch[/variant]"; fails naming the text.
  static Result<Platform> parse(const std::string& text);
  std::string to_string() const;
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
  // `platform` is chosen, skipping attestations) into a StoredImage.
  Result<StoredImage> load_image(const Descriptor& descriptor, const Platform& platform) const;

  // Moves `file` into blobs/ if its sha256 is `digest` (the file is consumed
  // either way). Already present: just removes `file`.
  Status add_blob(const std::filesystem::path& file, const std::string& digest) const;
  // Moves `file` into blobs/ as `digest` without reading it again: for
  // callers that hashed it while writing it (a pull).
  Status add_verified_blob(const std::filesystem::path& file, const std::string& digest) const;
  // A place for temporary files on the store's filesystem, outside blobs/.
  std::filesystem::path temp_dir() const { return dir_ / ".ctapp-tmp"; }

  // Points `ref` at `descriptor` in index.json (replacing an older entry of
  // that name), under a lock, written atomically.
  Status set_ref(const std::string& ref, const Descriptor& descriptor) const;

 private:
  std::filesystem::path dir_;
};

// Media types of layers ctapp can unpack (OCI and Docker).
bool is_layer_media_type(const std::string& media_type);

// Parses a descriptor object; fails naming what is missing.
Result<Descriptor> parse_descriptor(const nlohmann::json& json);
nlohmann::json descriptor_json(const Descriptor& descriptor);

}  // namespace ctapp
