// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/media_types.h"

#include <algorithm>
#include <iterator>

namespace ctapp {
namespace {

// restricted-name = restricted-name-first *126restricted-name-chars (RFC 6838 4.2)
bool is_restricted_name(std::string_view name) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (name.empty() || name.size() > 127 || !alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return alnum(c) || std::string_view("!#$&-^_.+").find(c) != std::string_view::npos;
  });
}

}  // namespace

bool is_index_media_type(std::string_view media_type) {
  return media_type == kOciIndex || media_type == kDockerManifestList;
}

bool is_layer_media_type(std::string_view media_type) {
  static constexpr std::string_view kTypes[] = {
      "application/vnd.oci.image.layer.v1.tar",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+zstd",
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"};
  return std::find(std::begin(kTypes), std::end(kTypes), media_type) != std::end(kTypes);
}

bool is_media_type(std::string_view text) {
  auto slash = text.find('/');
  return slash != std::string_view::npos && is_restricted_name(text.substr(0, slash)) &&
         is_restricted_name(text.substr(slash + 1));
}

}  // namespace ctapp
