// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <string_view>

#include "core/image_reference.h"
#include "store/platform.h"

namespace ctapp {

// True when `name` is a valid org.opencontainers.image.ref.name (the
// image-spec's grammar: components of alphanumerics joined by single
// separators [-._:@+] or "--", separated by '/').
bool is_valid_ref_name(std::string_view name);

// The name under which ctapp's store keeps the image of `ref`:
//  - registry images: their canonical name, "127.0.0.1:5000/test/box:1";
//  - oci:DIR[:TAG] and oci-archive:FILE[:TAG]: "oci/" or "oci-archive/",
//    then the absolute path without its leading '/', then ":TAG" (or
//    "@DIGEST"), e.g. oci:/srv/images:web -> "oci/srv/images:web". A path
//    or tag that the ref-name grammar does not allow as it is (spaces, "__",
//    a component starting with '.') has each such run of characters
//    replaced by '-' and the first 12 hex digits of the sha256 of the
//    original reference appended to its last path component, so two
//    different sources never share a name.
// skopeo and umoci address the image as oci:STORE:NAME.
std::string store_ref_name(const ImageReference& ref);
// The name for the image of `ref` for `platform`: store_ref_name(ref) when
// the machine's own platform matches it, else that name with
// "+OS-ARCH[-VARIANT]" appended ("box:1+linux-arm64"), so that the images of
// one reference for two platforms never replace each other in the store.
std::string store_ref_name(const ImageReference& ref, const Platform& platform);

}  // namespace ctapp
