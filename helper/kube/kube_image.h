// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <vector>

#include "core/app_config.h"
#include "core/app_versions.h"

namespace ctapp {

// What a Pod's `image:` says for one app, and why.
struct KubeImage {
  std::string reference;               // written as the container's image
  std::vector<std::string> notes;      // YAML comments: where the reference came from
  std::vector<std::string> unexpressed;  // YAML comments and stderr: what a cluster cannot do
};

// The image of `app` for a cluster: the digest the machine runs when
// `versions` (the app's version record) has one for the app's reference,
// else the reference as written. Images a registry cannot serve (oci: and
// oci-archive: layouts, a `rootfs` directory) get the placeholder registry
// "registry.invalid" and a line saying what to push. Never fails.
KubeImage kube_image(const AppConfig& app, const AppVersions& versions);

}  // namespace ctapp
