// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/app_versions.h"
#include "core/image_reference.h"
#include "core/paths.h"
#include "core/result.h"
#include "store/oci_layout.h"
#include "unpack/id_shift.h"

namespace ctapp {

// ROOT/opt/containers/DIR of one version: rootfs/ (the lower layer),
// image-config.json (the image's config blob, so that a kept version starts
// without the store: a rollback needs no network and survives a gc of its
// blobs), owner ("app NAME\nversion TAG\n": app and tag may both contain
// '-', so two apps could meet at one name), and the per-start config.json.
// It is built whole under ROOT/opt/containers/.ctapp-tmp and renamed into
// place, so a version directory either is complete or does not exist; a
// kill -9 leaves only a temporary directory that the next install sweeps.

// Unpacks `image` (already in the store) for app `app` as a version of
// `ref`, unless its directory exists whole. Needs no lock of the caller's
// beyond the app's setup lock; takes the per-image unpack lock itself.
// Fails naming the directory when another app owns it.
Result<AppVersion> install_version(const Paths& paths, const std::string& app, const ImageReference& ref,
                                   const StoredImage& image, const IdShift& shift);

// Removes what killed installs left in ROOT/opt/containers/.ctapp-tmp
// (those of live ones stay). Cheap; every prepare calls it.
Status sweep_version_temps(const Paths& paths);

// True when ROOT/opt/containers/DIR is a complete version directory of `app`.
bool version_is_whole(const Paths& paths, const std::string& app, const AppVersion& version);

// The image config recorded with a version (its "config" object is what
// the runtime config is built from).
Result<nlohmann::json> read_version_image_config(const Paths& paths, const AppVersion& version);

}  // namespace ctapp
