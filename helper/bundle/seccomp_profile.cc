// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bundle/seccomp_profile.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>

#include "core/atomic_file.h"
#include "json/json_reader.h"

namespace ctapp {
namespace {

// Go architecture names -> libseccomp's.
std::string seccomp_arch_of(const std::string& go_arch) {
  static const std::pair<const char*, const char*> kArches[] = {
      {"amd64", "SCMP_ARCH_X86_64"}, {"386", "SCMP_ARCH_X86"},     {"arm64", "SCMP_ARCH_AARCH64"},
      {"arm", "SCMP_ARCH_ARM"},      {"ppc64le", "SCMP_ARCH_PPC64LE"}, {"s390x", "SCMP_ARCH_S390X"},
      {"riscv64", "SCMP_ARCH_RISCV64"}};
  for (auto [go, seccomp] : kArches)
    if (go_arch == go) return seccomp;
  return {};
}

std::vector<std::string> strings_at(const nlohmann::json& object, const char* key) {
  std::vector<std::string> values;
  if (object.is_object() && object.contains(key) && object[key].is_array())
    for (const auto& value : object[key])
      if (value.is_string()) values.push_back(value.get<std::string>());
  return values;
}

// "5.8" <= the running kernel?
bool kernel_at_least(const std::string& wanted) {
  utsname name{};
  ::uname(&name);
  int have_major = 0, have_minor = 0, want_major = 0, want_minor = 0;
  std::sscanf(name.release, "%d.%d", &have_major, &have_minor);
  if (std::sscanf(wanted.c_str(), "%d.%d", &want_major, &want_minor) < 1) return true;
  return have_major > want_major || (have_major == want_major && have_minor >= want_minor);
}

bool applies(const nlohmann::json& rule, const std::string& go_arch,
             const std::vector<std::string>& capabilities) {
  auto has_cap = [&](const std::string& cap) {
    return std::find(capabilities.begin(), capabilities.end(), cap) != capabilities.end();
  };
  if (rule.contains("includes") && rule["includes"].is_object()) {
    const auto& includes = rule["includes"];
    auto arches = strings_at(includes, "arches");
    if (!arches.empty() && std::find(arches.begin(), arches.end(), go_arch) == arches.end()) return false;
    auto caps = strings_at(includes, "caps");
    if (!std::all_of(caps.begin(), caps.end(), has_cap)) return false;
    if (includes.contains("minKernel") && includes["minKernel"].is_string() &&
        !kernel_at_least(includes["minKernel"].get<std::string>()))
      return false;
  }
  if (rule.contains("excludes") && rule["excludes"].is_object()) {
    const auto& excludes = rule["excludes"];
    auto arches = strings_at(excludes, "arches");
    if (std::find(arches.begin(), arches.end(), go_arch) != arches.end()) return false;
    auto caps = strings_at(excludes, "caps");
    if (std::any_of(caps.begin(), caps.end(), has_cap)) return false;
  }
  return true;
}

}  // namespace

Result<nlohmann::json> translate_seccomp_profile(const nlohmann::json& profile,
                                                 const std::string& go_arch,
                                                 const std::vector<std::string>& capabilities) {
  if (!profile.is_object() || !profile.contains("defaultAction") || !profile.contains("syscalls"))
    return fail("not a seccomp profile (no defaultAction or syscalls)");
  nlohmann::json out = {{"defaultAction", profile["defaultAction"]}};
  if (profile.contains("defaultErrnoRet")) out["defaultErrnoRet"] = profile["defaultErrnoRet"];
  std::string arch = seccomp_arch_of(go_arch);
  nlohmann::json architectures = nlohmann::json::array();
  JsonView view(profile, "seccomp profile");
  auto arch_map = view.optional_array("archMap");
  if (!arch_map) return std::unexpected(arch_map.error());
  for (const auto& entry : *arch_map) {
    auto architecture = entry.string("architecture");
    if (!architecture) return std::unexpected(architecture.error());
    if (*architecture != arch) continue;
    architectures.push_back(arch);
    auto subs = entry.strings("subArchitectures");
    if (!subs) return std::unexpected(subs.error());
    for (const auto& sub : *subs) architectures.push_back(sub);
  }
  if (architectures.empty() && !arch.empty()) architectures.push_back(arch);
  out["architectures"] = std::move(architectures);
  nlohmann::json syscalls = nlohmann::json::array();
  auto rules = view.array("syscalls");
  if (!rules) return std::unexpected(rules.error());
  for (const auto& rule_view : *rules) {
    const nlohmann::json& rule = rule_view.raw();
    if (auto object = rule_view.expect_object(); !object) return std::unexpected(object.error());
    if (!applies(rule, go_arch, capabilities)) continue;
    auto names = rule_view.strings("names");
    if (!names) return std::unexpected(names.error());
    auto action = rule_view.optional_string("action");
    if (!action) return std::unexpected(action.error());
    nlohmann::json name_list = nlohmann::json::array();
    for (auto& name : *names) name_list.push_back(std::move(name));
    nlohmann::json translated = {{"names", std::move(name_list)},
                                 {"action", action->value_or("SCMP_ACT_ALLOW")}};
    if (rule.contains("errnoRet")) translated["errnoRet"] = rule["errnoRet"];
    if (rule.contains("args") && rule["args"].is_array() && !rule["args"].empty())
      translated["args"] = rule["args"];
    syscalls.push_back(std::move(translated));
  }
  out["syscalls"] = std::move(syscalls);
  return out;
}

Result<std::optional<nlohmann::json>> load_seccomp_profile(
    const std::filesystem::path& path, const std::string& go_arch,
    const std::vector<std::string>& capabilities) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::optional<nlohmann::json>();
  auto profile = read_json_file(path, {.max_size = 4 << 20});
  if (!profile) return std::unexpected(profile.error());
  auto translated = translate_seccomp_profile(*profile, go_arch, capabilities);
  if (!translated) return std::unexpected(wrap("'" + path.string() + "'", translated.error()));
  return std::optional<nlohmann::json>(std::move(*translated));
}

}  // namespace ctapp
