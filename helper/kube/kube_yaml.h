// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "kube/kube_pod.h"

namespace ctapp {

// The documents as one YAML stream: each starts with "---", its comment
// lines, then its object with keys in their stored order. Strings that a
// YAML reader would take for a number, boolean or null ("8080", "on") are
// quoted, so that every value keeps its JSON type.
Result<std::string> kube_yaml(const std::vector<KubeDocument>& documents);

}  // namespace ctapp
