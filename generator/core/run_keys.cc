// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/run_keys.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <utility>

#include "core/diagnostic.h"
#include "core/value_checks.h"

namespace ctapp {
namespace {

std::string upper(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

std::string lower(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

std::optional<uint64_t> parse_number(std::string_view text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The ulimit names of bash and Docker, and the resource each one sets.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kRlimits = {{
    {"as", "RLIMIT_AS"},
    {"core", "RLIMIT_CORE"},
    {"cpu", "RLIMIT_CPU"},
    {"data", "RLIMIT_DATA"},
    {"fsize", "RLIMIT_FSIZE"},
    {"locks", "RLIMIT_LOCKS"},
    {"memlock", "RLIMIT_MEMLOCK"},
    {"msgqueue", "RLIMIT_MSGQUEUE"},
    {"nice", "RLIMIT_NICE"},
    {"nofile", "RLIMIT_NOFILE"},
    {"nproc", "RLIMIT_NPROC"},
    {"rss", "RLIMIT_RSS"},
    {"rtprio", "RLIMIT_RTPRIO"},
    {"rttime", "RLIMIT_RTTIME"},
    {"sigpending", "RLIMIT_SIGPENDING"},
    {"stack", "RLIMIT_STACK"},
}};

Result<uint64_t> parse_limit(std::string_view name, std::string_view text) {
  if (text == "unlimited" || text == "infinity") return std::numeric_limits<uint64_t>::max();
  if (auto number = parse_number(text)) return *number;
  return fail("ulimits {}: '{}' is not a limit: write a number, \"SOFT:HARD\" or \"unlimited\"",
              name, text);
}

}  // namespace

const std::vector<std::string_view>& all_capabilities() {
  // linux/capability.h, 0 to CAP_LAST_CAP (40 since Linux 5.9).
  static const std::vector<std::string_view> kCapabilities = {"CAP_CHOWN",
                                                              "CAP_DAC_OVERRIDE",
                                                              "CAP_DAC_READ_SEARCH",
                                                              "CAP_FOWNER",
                                                              "CAP_FSETID",
                                                              "CAP_KILL",
                                                              "CAP_SETGID",
                                                              "CAP_SETUID",
                                                              "CAP_SETPCAP",
                                                              "CAP_LINUX_IMMUTABLE",
                                                              "CAP_NET_BIND_SERVICE",
                                                              "CAP_NET_BROADCAST",
                                                              "CAP_NET_ADMIN",
                                                              "CAP_NET_RAW",
                                                              "CAP_IPC_LOCK",
                                                              "CAP_IPC_OWNER",
                                                              "CAP_SYS_MODULE",
                                                              "CAP_SYS_RAWIO",
                                                              "CAP_SYS_CHROOT",
                                                              "CAP_SYS_PTRACE",
                                                              "CAP_SYS_PACCT",
                                                              "CAP_SYS_ADMIN",
                                                              "CAP_SYS_BOOT",
                                                              "CAP_SYS_NICE",
                                                              "CAP_SYS_RESOURCE",
                                                              "CAP_SYS_TIME",
                                                              "CAP_SYS_TTY_CONFIG",
                                                              "CAP_MKNOD",
                                                              "CAP_LEASE",
                                                              "CAP_AUDIT_WRITE",
                                                              "CAP_AUDIT_CONTROL",
                                                              "CAP_SETFCAP",
                                                              "CAP_MAC_OVERRIDE",
                                                              "CAP_MAC_ADMIN",
                                                              "CAP_SYSLOG",
                                                              "CAP_WAKE_ALARM",
                                                              "CAP_BLOCK_SUSPEND",
                                                              "CAP_AUDIT_READ",
                                                              "CAP_PERFMON",
                                                              "CAP_BPF",
                                                              "CAP_CHECKPOINT_RESTORE"};
  return kCapabilities;
}

Result<std::string> parse_capability(std::string_view name) {
  std::string canonical = upper(name);
  if (canonical == "ALL") return canonical;
  if (!canonical.starts_with("CAP_")) canonical = "CAP_" + canonical;
  const auto& known = all_capabilities();
  if (std::find(known.begin(), known.end(), canonical) != known.end()) return canonical;
  std::string suggestion = closest_match(canonical, known);
  if (!suggestion.empty())
    return fail("'{}' is not a capability, did you mean '{}'? (see capabilities(7))", name,
                suggestion);
  return fail(
      "'{}' is not a capability: use a name from capabilities(7) such as 'NET_ADMIN' "
      "(the CAP_ prefix is optional), or 'ALL'",
      name);
}

Status check_sysctl_name(std::string_view name) {
  if (auto status = check_no_control_chars(name); !status) return status;
  bool well_formed =
      !name.empty() && name.front() != '.' && name.back() != '.' &&
      name.find("..") == std::string_view::npos &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
  if (!well_formed)
    return fail("'{}' is not a sysctl name: write it with dots, e.g. 'net.ipv4.ip_forward'", name);
  if (name.starts_with("net.") || name.starts_with("kernel.shm") ||
      name.starts_with("kernel.msg") || name == "kernel.sem" || name.starts_with("fs.mqueue."))
    return {};
  return fail(
      "sysctl '{}' is not per container: the kernel shares it with the whole machine "
      "(only net.*, kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* are "
      "namespaced); set it on the host with sysctl.d(5)",
      name);
}

Status check_sysctl_value(std::string_view value) {
  if (auto status = check_no_control_chars(value); !status) return status;
  if (value.empty()) return fail("a sysctl value must not be empty");
  return {};
}

Result<std::string> rlimit_type(std::string_view name) {
  if (auto status = check_no_control_chars(name); !status) return std::unexpected(status.error());
  std::string key = lower(name);
  if (key.starts_with("rlimit_")) key = key.substr(7);
  std::vector<std::string_view> names;
  for (const auto& [short_name, type] : kRlimits) {
    if (key == short_name) return std::string(type);
    names.push_back(short_name);
  }
  std::string suggestion = closest_match(key, names);
  if (!suggestion.empty())
    return fail("'{}' is not a ulimit, did you mean '{}'?", name, suggestion);
  return fail("'{}' is not a ulimit: use one of {}", name, fmt::join(names, ", "));
}

Result<Rlimit> parse_ulimit(std::string_view name, std::string_view value) {
  auto type = rlimit_type(name);
  if (!type) return std::unexpected(type.error());
  Rlimit limit{*type, 0, 0};
  auto colon = value.find(':');
  auto soft = parse_limit(name, value.substr(0, colon));
  if (!soft) return std::unexpected(soft.error());
  auto hard = colon == std::string_view::npos ? soft : parse_limit(name, value.substr(colon + 1));
  if (!hard) return std::unexpected(hard.error());
  if (*soft > *hard)
    return fail(
        "ulimits {}: the soft limit {} is above the hard limit {}: write \"SOFT:HARD\" "
        "with SOFT <= HARD",
        name, value.substr(0, colon), value.substr(colon + 1));
  limit.soft = *soft;
  limit.hard = *hard;
  return limit;
}

Status check_annotation_key(std::string_view key) {
  if (auto status = check_no_control_chars(key); !status) return status;
  if (key.empty()) return fail("an annotation key must not be empty");
  if (key.starts_with("org.ctapp."))
    return fail(
        "annotation '{}': keys under 'org.ctapp.' are set by ctapp itself; use a "
        "prefix of your own, e.g. 'com.example.'",
        key);
  if (key.starts_with("run.oci."))
    return fail(
        "annotation '{}': keys under 'run.oci.' configure the runtime (crun acts on "
        "them); use a prefix of your own, e.g. 'com.example.', or a [run] key",
        key);
  return {};
}

Status check_tmpfs_size(std::string_view size) {
  std::string_view digits = size;
  if (!digits.empty() &&
      (digits.back() == '%' ||
       std::string_view("kKmMgGtT").find(digits.back()) != std::string_view::npos))
    digits.remove_suffix(1);
  auto number = parse_number(digits);
  if (!number || *number == 0)
    return fail(
        "'{}' is not a tmpfs size: write bytes with an optional K, M, G or T suffix, "
        "e.g. \"64M\", or a share of RAM such as \"10%\"",
        size);
  if (size.back() == '%' && *number > 100) return fail("tmpfs size '{}' is above 100%", size);
  return {};
}

Status check_tmpfs_mode(std::string_view mode) {
  bool octal = !mode.empty() && mode.size() <= 4 &&
               std::all_of(mode.begin(), mode.end(), [](char c) { return c >= '0' && c <= '7'; });
  if (!octal) return fail("'{}' is not a mode: write up to four octal digits, e.g. \"1777\"", mode);
  return {};
}

}  // namespace ctapp
