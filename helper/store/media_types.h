// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string_view>

namespace ctapp {

// The media types ctapp reads and asks registries for (OCI image-spec and
// Docker's schema 2), in one place.
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

// An index or a manifest list: entries per platform, not layers.
bool is_index_media_type(std::string_view media_type);
// Media types of layers ctapp can unpack (OCI and Docker).
bool is_layer_media_type(std::string_view media_type);
// "type/subtype" as RFC 6838 names them (restricted-name characters only),
// with any ";parameters" already removed. Protects the store from a
// Content-Type header full of bytes that are not a media type.
bool is_media_type(std::string_view text);

}  // namespace ctapp
