// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/app_config.h"
#include "kube/kube_image.h"

namespace ctapp {

// Everything one app adds to a pod: its container, the pod volumes its
// mounts name, the PersistentVolumeClaims of its [[volume]]s, and what the
// mapping could not carry over. Keys are in a fixed order, so the YAML
// written from them is the same on every run.
struct KubeAppParts {
  nlohmann::ordered_json container;
  std::vector<nlohmann::ordered_json> volumes;
  std::vector<nlohmann::ordered_json> claims;
  std::vector<std::string> notes;        // YAML comments
  std::vector<std::string> unexpressed;  // YAML comments and stderr
};

// The container for `app` (image, command/args, env, ports, mounts,
// resources, probes, security context) and its volumes. Pure; never fails:
// what has no Kubernetes form is listed in `unexpressed`.
KubeAppParts kube_app_parts(const AppConfig& app, const KubeImage& image);

}  // namespace ctapp
