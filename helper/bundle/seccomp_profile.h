// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace ctapp {

// Translates a seccomp profile in Docker's format (containers-common's
// /usr/share/containers/seccomp.json: archMap, includes/excludes by caps and
// arches) into runtime-spec `linux.seccomp` for this machine's architecture
// (`go_arch`: "amd64", "arm64", ...) and the container's capabilities.
Result<nlohmann::json> translate_seccomp_profile(const nlohmann::json& profile,
                                                 const std::string& go_arch,
                                                 const std::vector<std::string>& capabilities);

// The translated profile from `path`, or nothing when the file is absent.
Result<std::optional<nlohmann::json>> load_seccomp_profile(
    const std::filesystem::path& path, const std::string& go_arch,
    const std::vector<std::string>& capabilities);

}  // namespace ctapp
