// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>

#include "core/result.h"
#include "store/oci_layout.h"

namespace ctapp {

// Copies the image `source_ref` of an OCI layout on disk (oci:DIR:REF, for
// air-gapped machines) into ctapp's store as `store_ref`: the manifest for
// `platform`, its config and layers, each verified against its digest before
// it enters the store. Blobs the store has already are not copied again.
Result<Descriptor> import_image(const OciLayout& source, const std::string& source_ref,
                                const OciLayout& store, const std::string& store_ref,
                                const Platform& platform);

}  // namespace ctapp
