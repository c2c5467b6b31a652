// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/platform.h"

#include <sys/utsname.h>

#include <fmt/ranges.h>

#include "core/value_checks.h"

namespace ctapp {

Platform Platform::current() {
  Platform platform;
  utsname name{};
  ::uname(&name);
  std::string machine = name.machine;
  if (machine == "x86_64") platform.architecture = "amd64";
  else if (machine == "aarch64") platform.architecture = "arm64", platform.variant = "v8";
  else if (machine.starts_with("armv7")) platform.architecture = "arm", platform.variant = "v7";
  else if (machine == "i686" || machine == "i386") platform.architecture = "386";
  else platform.architecture = machine;
  return platform;
}

Result<Platform> Platform::configured_or_current(const std::string& configured) {
  if (configured.empty()) return current();
  return parse(configured);
}

Result<Platform> Platform::parse(const std::string& text) {
  if (auto valid = check_platform(text); !valid) return std::unexpected(valid.error());
  Platform platform;
  auto first = text.find('/');
  platform.os = text.substr(0, first);
  auto second = text.find('/', first + 1);
  platform.architecture = text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  if (second != std::string::npos) platform.variant = text.substr(second + 1);
  return platform;
}

std::string Platform::to_string() const {
  return os + "/" + architecture + (variant.empty() ? "" : "/" + variant);
}

bool platform_matches(const Platform& candidate, const Platform& wanted) {
  return candidate.os == wanted.os && candidate.architecture == wanted.architecture &&
         (wanted.variant.empty() || candidate.variant.empty() || candidate.variant == wanted.variant);
}

bool is_attestation(const Platform& platform) {
  return platform.os == "unknown" && platform.architecture == "unknown";
}

Result<size_t> choose_platform(const std::vector<std::optional<Platform>>& platforms,
                               const Platform& wanted, const std::string& what) {
  std::vector<std::string> offered;
  for (size_t i = 0; i < platforms.size(); ++i) {
    if (!platforms[i] || is_attestation(*platforms[i])) continue;
    if (platform_matches(*platforms[i], wanted)) return i;
    offered.push_back(platforms[i]->to_string());
  }
  return fail("{} has no image for {} (it has {}); choose one with --platform or the app's platform key", what, wanted.to_string(),
              offered.empty() ? std::string("none") : fmt::format("{}", fmt::join(offered, ", ")));
}

}  // namespace ctapp
