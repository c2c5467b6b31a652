// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/unit_file.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/value_checks.h"

namespace ctapp {

namespace {

// From systemd's load-fragment-gperf.gperf: these parsers take the value as
// it is (config_parse_cpu_quota, _memory_limit, _tasks_max, _sec, ...); every
// other setting ctapp writes goes through unit_full_printf().
constexpr std::string_view kLiteralPercentKeys[] = {
    "AllowedCPUs",     "CPUQuota",       "CPUWeight",       "IOWeight",       "MemoryHigh",
    "MemoryLow",       "MemoryMax",      "MemoryMin",       "MemorySwapMax",  "Restart",
    "RestartSec",      "TasksMax",       "TimeoutStartSec", "TimeoutStopSec", "WatchdogSec",
};

}  // namespace

bool key_takes_literal_percent(std::string_view key) {
  for (std::string_view literal : kLiteralPercentKeys)
    if (key == literal) return true;
  return false;
}

Status check_unit_value(std::string_view value) {
  if (auto plain = check_no_control_chars(value); !plain) return plain;
  if (value.ends_with('\\'))
    return fail("a value must not end with a backslash (it would continue onto the next line)");
  return {};
}

Status UnitFile::add(std::string_view section, std::string_view key, std::string_view value) {
  if (key_takes_literal_percent(key)) return add_verbatim(section, key, value);
  return add_verbatim(section, key, escape_specifiers(value));
}

Status UnitFile::add_verbatim(std::string_view section, std::string_view key,
                              std::string_view value) {
  if (auto checked = check_unit_value(value); !checked)
    return std::unexpected(wrap(fmt::format("{}=", key), checked.error()));
  auto it = std::find_if(sections_.begin(), sections_.end(),
                         [&](const Section& s) { return s.name == section; });
  if (it == sections_.end()) it = sections_.insert(sections_.end(), Section{std::string(section), {}});
  it->entries.emplace_back(std::string(key), std::string(value));
  return {};
}

size_t UnitFile::entry_count() const {
  size_t count = 0;
  for (const auto& section : sections_) count += section.entries.size();
  return count;
}

std::string UnitFile::to_string(const std::vector<std::string>& header_comments) const {
  std::string text;
  for (const auto& comment : header_comments) {
    std::string line = comment;
    for (char& c : line)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    text += "# " + line + "\n";
  }
  for (const auto& section : sections_) {
    if (!text.empty()) text += "\n";
    text += "[" + section.name + "]\n";
    for (const auto& [key, value] : section.entries) text += key + "=" + value + "\n";
  }
  return text;
}

std::string escape_specifiers(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '%') escaped += '%';
    escaped += c;
  }
  return escaped;
}

std::string quote_exec_word(std::string_view word) {
  bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("/_.:,+=@-").find(c) !=
                                                               std::string_view::npos;
  });
  // A leading character in "@-:+!" changes how systemd runs the command.
  if (safe && std::string_view("@-:+!").find(word.front()) == std::string_view::npos)
    return escape_specifiers(word);
  std::string quoted = "\"";
  for (char c : word) {
    switch (c) {
      case '"': quoted += "\\\""; break;
      case '\\': quoted += "\\\\"; break;
      case '$': quoted += "$$"; break;
      case '%': quoted += "%%"; break;
      case '\n': quoted += "\\n"; break;
      case '\t': quoted += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          quoted += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          quoted += c;
        }
    }
  }
  return quoted + "\"";
}

}  // namespace ctapp
