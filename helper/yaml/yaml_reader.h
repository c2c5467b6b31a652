// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace ctapp {

struct YamlLimits {
  int max_depth;
  // Values in the tree, counting each use of an alias as the values it
  // names: aliases let a few lines describe a tree of billions.
  size_t max_values;
};

// The first document of `text` as JSON. Plain scalars are read as Go's yaml
// does (YAML 1.1): integers (also "0644", "0o644", "0x1f"), true/false,
// null and "~"; quoted, block and !!str scalars are strings. Keys must be
// scalars. Errors name `what` (e.g. "'/etc/cdi/gpu.yaml'") and the line.
Result<nlohmann::json> parse_yaml(std::string_view text, const std::string& what, YamlLimits limits);

}  // namespace ctapp
