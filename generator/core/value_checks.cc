// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/value_checks.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <vector>

namespace ctapp {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

template <typename Int>
bool parse_int(std::string_view text, Int& value) {
  if (!all_digits(text)) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// "12", "12.5": digits with at most one decimal point, returns the rest.
std::string_view take_number(std::string_view& text) {
  size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i > 0 && i < text.size() && text[i] == '.') {
    size_t j = i + 1;
    while (j < text.size() && is_digit(text[j])) ++j;
    if (j > i + 1) i = j;
  }
  auto number = text.substr(0, i);
  text.remove_prefix(i);
  return number;
}

Result<uint16_t> parse_port(std::string_view text, std::string_view whole) {
  uint32_t port = 0;
  if (!parse_int(text, port) || port == 0 || port > 65535)
    return fail("'{}' in '{}' is not a port number (1-65535)", text, whole);
  return static_cast<uint16_t>(port);
}

}  // namespace

Status check_no_control_chars(std::string_view value) {
  for (unsigned char c : value)
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return fail("control characters (such as newlines) are not allowed in values");
  return {};
}

Status check_app_name(std::string_view name) {
  bool valid = !name.empty() && name.size() <= 64 && is_alnum(name.front()) &&
               std::all_of(name.begin(), name.end(), [](char c) {
                 return is_alnum(c) || c == '_' || c == '.' || c == '-';
               });
  if (!valid)
    return fail(
        "'{}' is not a valid app name: use 1-64 letters, digits, '_', '.' or '-', starting "
        "with a letter or digit (rename the file)",
        name);
  return {};
}

Status check_absolute_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return fail("'{}' must be an absolute path", path);
  if (path.size() > 4095) return fail("path is longer than 4095 bytes");
  std::string_view rest = path;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto part = rest.substr(0, slash);
    if (part == "." || part == "..")
      return fail("'{}' must not contain '.' or '..' components", path);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return {};
}

bool has_unit_suffix(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kSuffixes = {
      ".service", ".socket", ".target", ".device", ".mount", ".automount",
      ".swap",    ".path",   ".timer",  ".slice",  ".scope"};
  return std::any_of(kSuffixes.begin(), kSuffixes.end(), [&](auto suffix) {
    return name.size() > suffix.size() && name.ends_with(suffix);
  });
}

Status check_unit_name(std::string_view name) {
  bool valid_chars = !name.empty() && name.size() <= 255 &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return is_alnum(c) || c == ':' || c == '_' || c == '.' || c == '-' ||
                              c == '@' || c == '\\';
                     });
  if (!valid_chars || !has_unit_suffix(name))
    return fail("'{}' is not a systemd unit name (such as 'multi-user.target')", name);
  return {};
}

std::optional<std::chrono::microseconds> parse_time_span(std::string_view span) {
  struct Unit {
    std::string_view name;
    double microseconds;
  };
  static constexpr Unit kUnits[] = {
      {"usec", 1},          {"us", 1},           {"µs", 1},          {"msec", 1e3},
      {"ms", 1e3},          {"seconds", 1e6},    {"second", 1e6},    {"sec", 1e6},
      {"s", 1e6},           {"", 1e6},           {"minutes", 6e7},   {"minute", 6e7},
      {"min", 6e7},         {"m", 6e7},          {"hours", 3.6e9},   {"hour", 3.6e9},
      {"hr", 3.6e9},        {"h", 3.6e9},        {"days", 8.64e10},  {"day", 8.64e10},
      {"d", 8.64e10},       {"weeks", 6.048e11}, {"week", 6.048e11}, {"w", 6.048e11},
      {"months", 2.6298e12}, {"month", 2.6298e12}, {"years", 3.15576e13}, {"y", 3.15576e13}};
  if (span == "infinity") return std::chrono::microseconds::max();
  std::string_view rest = span;
  double total = 0;
  bool any = false;
  while (!rest.empty()) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    auto number = take_number(rest);
    if (number.empty() || number.size() > 15) return std::nullopt;
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    size_t unit_length = 0;
    while (unit_length < rest.size() && !is_digit(rest[unit_length]) && rest[unit_length] != ' ')
      ++unit_length;
    auto unit = std::find_if(std::begin(kUnits), std::end(kUnits),
                             [&](const Unit& u) { return u.name == rest.substr(0, unit_length); });
    if (unit == std::end(kUnits)) return std::nullopt;
    total += std::stod(std::string(number)) * unit->microseconds;
    rest.remove_prefix(unit_length);
    any = true;
  }
  if (!any || total > 1e17) return std::nullopt;
  return std::chrono::microseconds(static_cast<int64_t>(total));
}

Status check_time_span(std::string_view span) {
  if (parse_time_span(span)) return {};
  return fail("'{}' is not a time span: use seconds or systemd's form, such as '90s', "
              "'5min 30s' or 'infinity'",
              span);
}

Status check_size(std::string_view size) {
  if (size == "infinity") return {};
  std::string_view rest = size;
  auto number = take_number(rest);
  bool valid = !number.empty() &&
               (rest.empty() || (rest.size() == 1 && std::string_view("KMGTPE%").find(rest[0]) !=
                                                         std::string_view::npos));
  if (!valid)
    return fail("'{}' is not a size: use bytes or a number with K, M, G or T (such as '512M'), "
                "a percentage, or 'infinity'",
                size);
  return {};
}

Status check_cpu_quota(std::string_view quota) {
  std::string_view rest = quota;
  if (take_number(rest).empty() || rest != "%")
    return fail("'{}' is not a CPU quota: use a percentage of one CPU, such as '50%' or '200%'",
                quota);
  return {};
}

Status check_tasks_max(std::string_view value) {
  std::string_view rest = value;
  if (value == "infinity" || all_digits(value)) return {};
  if (!take_number(rest).empty() && rest == "%") return {};
  return fail("'{}' is not a task limit: use a number, a percentage or 'infinity'", value);
}

Status check_cpu_list(std::string_view value) {
  // systemd's parse_cpu_set() caps CPU numbers at 8192 (CPU_SIZE_MAX * 8).
  constexpr uint32_t kMaxCpu = 8191;
  auto invalid = [&] {
    return fail("'{}' is not a CPU list: use CPU numbers and ranges separated by commas, such "
                "as '0-1,3' (CPUs 0 to {})",
                value, kMaxCpu);
  };
  if (value.empty()) return invalid();
  std::string_view rest = value;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view entry = rest.substr(0, comma);
    size_t dash = entry.find('-');
    uint32_t first = 0;
    if (!parse_int(entry.substr(0, dash), first)) return invalid();
    uint32_t last = first;
    if (dash != std::string_view::npos && !parse_int(entry.substr(dash + 1), last))
      return invalid();
    if (first > last || last > kMaxCpu) return invalid();
    if (comma == std::string_view::npos) return {};
    rest.remove_prefix(comma + 1);
  }
}

Status check_restart(std::string_view value) {
  static constexpr std::array<std::string_view, 7> kValues = {
      "no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always"};
  if (std::find(kValues.begin(), kValues.end(), value) != kValues.end()) return {};
  return fail("'{}' is not a restart policy: use one of no, on-success, on-failure, "
              "on-abnormal, on-watchdog, on-abort, always",
              value);
}

Status check_env_name(std::string_view name) {
  bool valid = !name.empty() && !is_digit(name.front()) &&
               std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '_'; });
  if (!valid)
    return fail("'{}' is not a valid environment variable name (letters, digits and '_', not "
                "starting with a digit)",
                name);
  return {};
}

Status check_hostname(std::string_view hostname) {
  auto invalid = [&] {
    return fail("'{}' is not a valid host name (labels of letters, digits and '-', separated "
                "by '.', at most 64 characters)",
                hostname);
  };
  if (hostname.empty() || hostname.size() > 64) return invalid();
  std::string_view rest = hostname;
  while (true) {
    auto dot = rest.find('.');
    auto label = rest.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; }))
      return invalid();
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  return {};
}

Status check_platform(std::string_view platform) {
  // The image-spec's platform fields are GOOS/GOARCH values and variants
  // such as "v7": lower-case letters, digits and '_'.
  auto valid_part = [](std::string_view part) {
    return !part.empty() && part.size() <= 32 &&
           std::all_of(part.begin(), part.end(), [](char c) {
             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
           });
  };
  std::vector<std::string_view> parts;
  std::string_view rest = platform;
  while (parts.size() < 4) {
    auto slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (parts.size() < 2 || parts.size() > 3 || !std::all_of(parts.begin(), parts.end(), valid_part))
    return fail("'{}' is not a platform: write OS/ARCH[/VARIANT] in lower case, such as "
                "\"linux/arm64\" or \"linux/arm/v7\"",
                platform);
  return {};
}

Status check_user(std::string_view user) {
  auto valid_part = [](std::string_view part) {
    return !part.empty() && part.size() <= 32 &&
           std::all_of(part.begin(), part.end(),
                       [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
  };
  auto colon = user.find(':');
  if (!valid_part(user.substr(0, colon)) ||
      (colon != std::string_view::npos && !valid_part(user.substr(colon + 1))))
    return fail("'{}' is not a user: use a name from the image's /etc/passwd, a uid, or "
                "'user:group' / 'uid:gid'",
                user);
  return {};
}

Status check_signal(std::string_view signal) {
  static constexpr std::array<std::string_view, 31> kNames = {
      "HUP",  "INT",  "QUIT", "ILL",    "TRAP",   "ABRT",  "BUS",  "FPE",
      "KILL", "USR1", "SEGV", "USR2",   "PIPE",   "ALRM",  "TERM", "STKFLT",
      "CHLD", "CONT", "STOP", "TSTP",   "TTIN",   "TTOU",  "URG",  "XCPU",
      "XFSZ", "VTALRM", "PROF", "WINCH", "IO",    "PWR",   "SYS"};
  std::string_view name = signal;
  if (name.starts_with("SIG")) name.remove_prefix(3);
  if (std::find(kNames.begin(), kNames.end(), name) != kNames.end()) return {};
  if (name.starts_with("RTMIN+") || name.starts_with("RTMAX-")) {
    uint32_t offset = 0;
    if (parse_int(name.substr(6), offset) && offset <= 30) return {};
  }
  uint32_t number = 0;
  if (parse_int(signal, number) && number >= 1 && number <= 64) return {};
  return fail("'{}' is not a signal: use a name such as 'SIGTERM' or 'SIGQUIT'", signal);
}

Status check_systemd_key(std::string_view key) {
  bool valid = !key.empty() && key.size() <= 64 && std::isalpha(static_cast<unsigned char>(key[0])) &&
               std::all_of(key.begin(), key.end(), is_alnum);
  if (!valid) return fail("'{}' is not a systemd setting name (such as 'LimitNOFILE')", key);
  return {};
}

Result<PublishedPort> parse_published_port(std::string_view text) {
  PublishedPort port;
  std::string_view rest = text;
  if (auto slash = rest.rfind('/'); slash != std::string_view::npos) {
    auto protocol = rest.substr(slash + 1);
    if (protocol == "udp") {
      port.protocol = Protocol::kUdp;
    } else if (protocol != "tcp") {
      return fail("'{}': protocol '{}' is not 'tcp' or 'udp'", text, protocol);
    }
    rest = rest.substr(0, slash);
  }
  if (rest.starts_with("[")) {
    auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
      return fail("'{}' is not a published port: write '[IPV6]:HOSTPORT:CONTAINERPORT'", text);
    port.host_ip = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 2);
  }
  auto last_colon = rest.rfind(':');
  if (last_colon == std::string_view::npos)
    return fail("'{}' is not a published port: write 'HOSTPORT:CONTAINERPORT[/tcp|udp]', "
                "optionally with a host address first ('127.0.0.1:8080:80')",
                text);
  auto container = rest.substr(last_colon + 1);
  auto host_part = rest.substr(0, last_colon);
  if (auto ip_colon = host_part.rfind(':'); ip_colon != std::string_view::npos) {
    if (!port.host_ip.empty()) return fail("'{}' has two host addresses", text);
    port.host_ip = std::string(host_part.substr(0, ip_colon));
    host_part.remove_prefix(ip_colon + 1);
  }
  if (!port.host_ip.empty() &&
      !std::all_of(port.host_ip.begin(), port.host_ip.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
      }))
    return fail("'{}': '{}' is not an IP address", text, port.host_ip);
  auto host_port = parse_port(host_part, text);
  if (!host_port) return std::unexpected(host_port.error());
  auto container_port = parse_port(container, text);
  if (!container_port) return std::unexpected(container_port.error());
  port.host_port = *host_port;
  port.container_port = *container_port;
  return port;
}

Result<IdMapping> parse_id_mapping(std::string_view text) {
  IdMapping mapping;
  auto first = text.find(':');
  auto second = first == std::string_view::npos ? first : text.find(':', first + 1);
  bool valid = second != std::string_view::npos &&
               parse_int(text.substr(0, first), mapping.container_id) &&
               parse_int(text.substr(first + 1, second - first - 1), mapping.host_id) &&
               parse_int(text.substr(second + 1), mapping.size) && mapping.size > 0;
  if (!valid)
    return fail("'{}' is not an id mapping: write 'CONTAINERID:HOSTID:COUNT', such as "
                "'0:100000:65536'",
                text);
  if (uint64_t{mapping.container_id} + mapping.size > (uint64_t{1} << 32) ||
      uint64_t{mapping.host_id} + mapping.size > (uint64_t{1} << 32))
    return fail("'{}': the range goes beyond the largest id 4294967295", text);
  return mapping;
}

Result<TcpProbe> parse_tcp_probe(std::string_view text) {
  if (!text.starts_with("tcp:"))
    return fail("'{}' is not a readiness probe: use 'tcp:PORT', or a command as a list of "
                "strings",
                text);
  auto port = parse_port(text.substr(4), text);
  if (!port) return std::unexpected(port.error());
  return TcpProbe{*port};
}

}  // namespace ctapp
