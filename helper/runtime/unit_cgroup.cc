// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/unit_cgroup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "core/atomic_file.h"
#include "core/unique_fd.h"

namespace ctapp {
namespace {

// The unit's cgroup (v2 path), if this process runs as ctapp@APP.service;
// ExecStartPre may run in its ".control" sub-cgroup.
std::optional<std::string> unit_cgroup(const std::string& app) {
  if (!std::getenv("INVOCATION_ID")) return std::nullopt;
  auto text = read_file("/proc/self/cgroup", 1 << 16);
  if (!text) return std::nullopt;
  std::string unit = "/ctapp@" + app + ".service";
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    std::string line = text->substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? text->size() : end + 1;
    if (!line.starts_with("0::")) continue;
    std::string path = line.substr(3);
    for (const char* leaf : {"/.control", "/supervisor"})
      if (path.ends_with(leaf)) path.resize(path.size() - std::string(leaf).size());
    if (path.ends_with(unit)) return path;
  }
  return std::nullopt;
}

// Where the v2 hierarchy is mounted: /sys/fs/cgroup, or .../unified on hybrid hosts.
std::filesystem::path unified_mount() {
  std::error_code error;
  if (std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers", error)) return "/sys/fs/cgroup";
  return "/sys/fs/cgroup/unified";
}

}  // namespace

std::string container_cgroup_path(const std::string& app) {
  auto unit = unit_cgroup(app);
  return unit ? *unit + "/container" : std::string();
}

Status move_to_supervisor_cgroup(const std::string& app) {
  auto unit = unit_cgroup(app);
  if (!unit) return {};
  auto leaf = unified_mount() / unit->substr(1) / "supervisor";
  std::error_code error;
  std::filesystem::create_directories(leaf, error);
  if (error) return fail("create cgroup '{}': {}", leaf.string(), error.message());
  std::string pid = fmt::format("{}\n", ::getpid());
  UniqueFd procs(::open((leaf / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
  if (!procs.valid() || ::write(procs.get(), pid.data(), pid.size()) != static_cast<ssize_t>(pid.size()))
    return fail("move into cgroup '{}': {}", leaf.string(), std::strerror(errno));
  return {};
}

}  // namespace ctapp
