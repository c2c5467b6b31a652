// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/health_reader.h"

#include <fmt/format.h>

#include "core/value_checks.h"

namespace ctapp {
namespace {

constexpr std::pair<std::string_view, HealthOnFailure> kOnFailure[] = {
    {"none", HealthOnFailure::kNone},
    {"kill", HealthOnFailure::kKill},
    {"restart", HealthOnFailure::kRestart},
};

// Checks run at least this far apart: a tighter loop of `runc exec` would
// be a load on the machine, not a health check.
constexpr std::chrono::milliseconds kMinInterval{100};
constexpr int64_t kMaxRetries = 1000;

}  // namespace

std::string_view health_on_failure_name(HealthOnFailure action) {
  for (const auto& [name, value] : kOnFailure)
    if (value == action) return name;
  return "none";
}

void HealthReader::read() {
  read_check();
  read_span("interval", settings_.interval, false);
  read_span("timeout", settings_.timeout, false);
  read_span("start_period", settings_.start_period, true);
  if (auto retries = health_.integer("retries")) {
    if (*retries < 1 || *retries > kMaxRetries)
      health_.error(*health_.find("retries"),
                    fmt::format("retries {} is out of range: use 1 to {} (default 3)", *retries,
                                kMaxRetries));
    else
      settings_.retries = static_cast<uint32_t>(*retries);
  }
  read_on_failure();
}

void HealthReader::read_check() {
  const toml::node* node = health_.find("check");
  if (!node) return;
  if (node->is_string()) {
    auto text = health_.string("check");
    if (!text) return;
    auto probe = parse_tcp_probe(*text);
    if (!probe) {
      health_.error(*node, fmt::format("check: {}", probe.error().message));
      return;
    }
    settings_.check = *probe;
  } else if (node->is_array()) {
    auto argv = health_.strings("check");
    if (!argv) return;
    if (argv->empty()) {
      health_.error(*node, "check: the command is empty");
      return;
    }
    settings_.check = ExecProbe{std::move(*argv)};
  } else {
    health_.error(*node, fmt::format("'check' must be 'tcp:PORT' or a command as an array of "
                                     "strings, not {}",
                                     toml_type_name(node->type())));
  }
}

// A time span: an integer of seconds or systemd's form ("30s", "500ms");
// "infinity" makes no sense for any of these.
void HealthReader::read_span(std::string_view key, std::chrono::milliseconds& field,
                             bool zero_allowed) {
  const toml::node* node = health_.find(key);
  if (!node) return;
  std::optional<std::chrono::microseconds> span;
  if (node->is_integer()) {
    int64_t seconds = *node->value<int64_t>();
    if (seconds >= 0 && seconds < int64_t{1} << 32) span = std::chrono::seconds(seconds);
  } else {
    auto text = health_.string(key);
    if (!text) return;
    span = parse_time_span(*text);
    if (!span) {
      health_.error(*node, fmt::format("{}: {}", key, check_time_span(*text).error().message));
      return;
    }
  }
  std::chrono::milliseconds minimum = zero_allowed ? std::chrono::milliseconds(0) : kMinInterval;
  if (!span || *span == std::chrono::microseconds::max() || *span < minimum ||
      *span > std::chrono::hours(24 * 365)) {
    health_.error(*node, fmt::format("{} is out of range: use {} to one year, such as '30s'", key,
                                     zero_allowed ? "0" : "100ms"));
    return;
  }
  field = std::chrono::duration_cast<std::chrono::milliseconds>(*span);
}

void HealthReader::read_on_failure() {
  auto value = health_.string("on_failure");
  if (!value) return;
  std::vector<std::string_view> names;
  for (const auto& [name, action] : kOnFailure) {
    if (*value == name) {
      settings_.on_failure = action;
      return;
    }
    names.push_back(name);
  }
  std::string suggestion = closest_match(*value, names);
  health_.error(*health_.find("on_failure"),
                suggestion.empty()
                    ? fmt::format("'{}' is not a valid on_failure: use one of {}", *value,
                                  fmt::join(names, ", "))
                    : fmt::format("'{}' is not a valid on_failure, did you mean '{}'? (one of {})",
                                  *value, suggestion, fmt::join(names, ", ")));
}

}  // namespace ctapp
