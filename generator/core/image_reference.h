// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace ctapp {

// A parsed image reference, with Docker's normalisation applied:
//   busybox                      -> docker.io/library/busybox:latest
//   valkey/valkey:9.0.0          -> docker.io/valkey/valkey:9.0.0
//   127.0.0.1:5000/app@sha256:…  -> registry 127.0.0.1:5000, digest only
//   oci:/srv/layout:app          -> an OCI layout directory on disk
//   oci-archive:/srv/app.tar:app -> a tar of an OCI layout
struct ImageReference {
  enum class Transport { kDocker, kOciDir, kOciArchive };

  Transport transport = Transport::kDocker;
  std::string registry;      // "docker.io", "127.0.0.1:5000"
  std::string repository;    // "library/busybox"
  std::string tag;           // empty when only a digest was given
  std::string digest;        // "sha256:<64 hex>" or empty
  std::string path;          // layout dir or archive for oci transports
  bool registry_given = false;  // false for short names ("busybox", "valkey/valkey")

  // "docker.io/library/busybox:latest", "reg/repo@sha256:…", "oci:/dir:tag".
  std::string canonical() const;
  // The name used for the image in ctapp's store (index.json ref.name):
  // canonical() without the "oci:" transport for on-disk sources.
  std::string store_name() const;
  // The VERSION part of /opt/containers/NAME-VERSION: the tag, or the first
  // 12 hex digits of the digest when there is no tag.
  std::string version() const;
  // The host that serves `registry` ("registry-1.docker.io" for docker.io).
  std::string registry_host() const;
};

// Fails with a message that quotes the reference and says which part is wrong.
Result<ImageReference> parse_image_reference(std::string_view text);

}  // namespace ctapp
