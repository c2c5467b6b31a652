// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "unpack/id_shift.h"

namespace ctapp {

// One layer as the image manifest and config describe it.
struct LayerBlob {
  std::filesystem::path blob;  // the (compressed) blob file
  std::string media_type;
  std::string digest;          // sha256 of the blob
  std::string diff_id;         // sha256 of the uncompressed tar (image config rootfs.diff_ids)
};

// Applies `layers` in order into a new directory `target` (which must not
// exist): unpacked into a temporary directory beside it and renamed into
// place only when every layer applied and every digest and diff_id matched,
// so an interrupted unpack leaves no `target` at all. Whiteouts and opaque
// directories follow the OCI image spec. An entry that would reach outside
// the rootfs fails the unpack with a message naming the layer and the entry.
// With `shift`, ownership (and ids in ACL and capability xattrs) is moved
// into an app's host id range for its user namespace.
Status unpack_rootfs(const std::vector<LayerBlob>& layers, const std::filesystem::path& target,
                     const IdShift& shift = {});

// Removes temporary directories that a killed unpack left in `dir`.
void remove_stale_unpacks(const std::filesystem::path& dir);

}  // namespace ctapp
