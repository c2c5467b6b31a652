// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "json/json_reader.h"
#include "store/platform.h"

namespace ctapp {

// The OCI documents ctapp reads (image-spec descriptor, index, manifest,
// image config; Docker's schema 2 equivalents), parsed from outside JSON
// into plain structs. The store and the registry client both parse through
// these functions, so a document means the same wherever it comes from.

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  std::optional<Platform> platform;  // for index entries
};

struct ImageIndex {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

struct ImageManifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

struct ImageConfig {
  std::vector<std::string> diff_ids;  // rootfs.diff_ids
};

// Indexes inside indexes are followed at most this deep.
inline constexpr int kMaxIndexDepth = 8;
// Manifests, indexes and configs larger than this are refused.
inline constexpr size_t kMaxImageJson = 4 << 20;

// "sha256:" and 64 lowercase hex digits: the only digests ctapp verifies.
bool is_digest(const std::string& digest);

// Parses a manifest, index or config blob; errors name `what`.
Result<nlohmann::json> parse_image_json(std::string_view text, const std::string& what);

// True when `document` is an index (by its media type, the transport's
// `media_type` hint, or by its shape: "manifests" and no "layers").
bool is_index_document(const nlohmann::json& document, const std::string& media_type);

// Fail naming the field that is missing or has the wrong type.
Result<Descriptor> parse_descriptor(const JsonView& json);
Result<ImageIndex> parse_image_index(const nlohmann::json& document, const std::string& what);
Result<ImageManifest> parse_image_manifest(const nlohmann::json& document, const std::string& what);
Result<ImageConfig> parse_image_config(const nlohmann::json& document, const std::string& what);

nlohmann::json descriptor_json(const Descriptor& descriptor);

}  // namespace ctapp
