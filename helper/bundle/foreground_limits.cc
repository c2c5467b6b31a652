// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bundle/foreground_limits.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <tuple>

#include <fmt/format.h>

#include "core/atomic_file.h"

namespace ctapp {
namespace {

// "123", "1.5": the value; nothing for anything else. strtod() of checked
// text, not std::from_chars(double), whose libstdc++ code links libm into
// ctapp (the locale stays "C": ctapp never calls setlocale()).
std::optional<double> parse_decimal(std::string_view text) {
  auto digits = std::count_if(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  auto points = std::count(text.begin(), text.end(), '.');
  if (digits == 0 || points > 1 || static_cast<size_t>(digits + points) != text.size()) return std::nullopt;
  std::string copy(text);
  double value = std::strtod(copy.c_str(), nullptr);
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

// Like systemd's parse_size(base 1024) and parse_permyriad(): nothing for
// "infinity", else the limit; `whole` is what 100% is.
Result<std::optional<int64_t>> parse_limit(std::string_view key, std::string_view text,
                                           uint64_t whole, bool with_suffixes) {
  if (text == "infinity") return std::optional<int64_t>();
  double factor = 1;
  std::string_view number = text;
  if (!text.empty() && text.back() == '%') {
    number.remove_suffix(1);
    factor = static_cast<double>(whole) / 100.0;
  } else if (with_suffixes && !text.empty()) {
    constexpr std::string_view kSuffixes = "KMGTPE";
    if (auto at = kSuffixes.find(text.back()); at != std::string_view::npos) {
      number.remove_suffix(1);
      factor = static_cast<double>(uint64_t{1} << (10 * (at + 1)));  // 1024^n, exact
    }
  }
  auto value = parse_decimal(number);
  double limit = value ? std::floor(*value * factor) : -1;
  if (!value || limit > 9.0e18)
    return fail("[resources] {} '{}' cannot be applied: it is not a size ctapp understands", key,
                text);
  if (limit < 1)
    return fail("[resources] {} '{}' is less than one {}: the app could not run; raise it", key,
                text, with_suffixes ? "byte" : "task");
  return std::optional<int64_t>(static_cast<int64_t>(limit));
}

uint64_t read_number(const char* file) {
  auto text = read_file(file, 64);
  if (!text) return 0;
  uint64_t value = 0;
  std::from_chars(text->data(), text->data() + text->size(), value);
  return value;
}

}  // namespace

MachineSize MachineSize::current() {
  MachineSize machine;
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page_size = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0)
    machine.memory_bytes = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
  // systemd's system_tasks_max(): the smaller of the kernel's two limits.
  uint64_t pid_max = read_number("/proc/sys/kernel/pid_max");
  uint64_t threads_max = read_number("/proc/sys/kernel/threads-max");
  machine.tasks = pid_max && threads_max ? std::min(pid_max, threads_max) : pid_max | threads_max;
  return machine;
}

Result<ForegroundLimits> foreground_limits(const ResourceSettings& resources,
                                           const MachineSize& machine) {
  ForegroundLimits limits;
  if (!resources.memory_max.empty()) {
    auto memory = parse_limit("memory_max", resources.memory_max, machine.memory_bytes, true);
    if (!memory) return std::unexpected(memory.error());
    limits.memory_bytes = *memory;
  }
  if (!resources.tasks_max.empty()) {
    auto tasks = parse_limit("tasks_max", resources.tasks_max, machine.tasks, false);
    if (!tasks) return std::unexpected(tasks.error());
    limits.pids = *tasks;
  }
  return limits;
}

Status check_limit_controllers(const ForegroundLimits& limits,
                               const std::filesystem::path& cgroup_root) {
  std::error_code error;
  auto v2_controllers = read_file(cgroup_root / "cgroup.controllers", 4096);
  auto has = [&](std::string_view controller) {
    if (v2_controllers) {
      std::string words = " " + *v2_controllers + " ";
      for (char& c : words)
        if (c == '\n') c = ' ';
      return words.find(fmt::format(" {} ", controller)) != std::string::npos;
    }
    return std::filesystem::is_directory(cgroup_root / controller, error);
  };
  for (auto [set, key, controller] :
       {std::tuple{limits.memory_bytes.has_value(), "memory_max", "memory"},
        std::tuple{limits.pids.has_value(), "tasks_max", "pids"}}) {
    if (set && !has(controller))
      return fail(
          "[resources] {} cannot be applied: this machine offers no '{}' cgroup "
          "controller ({}); remove {} to run the app in the foreground here",
          key, controller,
          v2_controllers ? fmt::format("not in {}", (cgroup_root / "cgroup.controllers").string())
                         : fmt::format("no {}", (cgroup_root / controller).string()),
          key);
  }
  return {};
}

}  // namespace ctapp
