// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace ctapp {

// "linux/amd64" and friends: the running machine, or an explicit choice.
struct Platform {
  std::string os = "linux";
  std::string architecture;
  std::string variant;
  static Platform current();
  // "os/arch[/variant]"; fails naming the text.
  static Result<Platform> parse(const std::string& text);
  // What an app pulls: its `platform` key if set, else the machine's.
  static Result<Platform> configured_or_current(const std::string& configured);
  std::string to_string() const;
  bool operator==(const Platform&) const = default;
};

// The one rule for choosing from an index, used for the store and for
// registries alike: os and architecture equal, and the variant equal when
// both name one.
bool platform_matches(const Platform& candidate, const Platform& wanted);

// Attestation manifests (Docker Hub's provenance and SBOM entries) carry
// the platform unknown/unknown: they are never an image to run.
bool is_attestation(const Platform& platform);

// The index of the first entry of `platforms` that matches `wanted`
// (entries without a platform and attestations skipped). Fails naming
// `what`, `wanted` and the platforms that were offered.
Result<size_t> choose_platform(const std::vector<std::optional<Platform>>& platforms,
                               const Platform& wanted, const std::string& what);

}  // namespace ctapp
