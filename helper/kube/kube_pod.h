// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/app_config.h"
#include "kube/kube_image.h"

namespace ctapp {

// One app to convert, with the image its container names.
struct KubeApp {
  AppConfig config;
  KubeImage image;
};

// One YAML document: comment lines written above it, then the object.
struct KubeDocument {
  std::vector<std::string> comments;
  nlohmann::ordered_json body;
};

struct KubeOutput {
  std::vector<KubeDocument> documents;
  // What could not be carried over, also in the documents' comments: the
  // command prints these to stderr so that nothing is dropped silently.
  std::vector<std::string> unexpressed;
};

struct KubeOptions {
  bool deployment = false;  // apps/v1 Deployment (1 replica) instead of a v1 Pod
};

// One Pod (or Deployment) per app, except that apps with network mode
// "app:X" go into X's pod when X is among `apps` (the pod is named after
// X, X's container first); then the PersistentVolumeClaims of the pod's
// volumes. Apps keep the order given. Pure; never fails.
KubeOutput kube_documents(const std::vector<KubeApp>& apps, const KubeOptions& options);

}  // namespace ctapp
