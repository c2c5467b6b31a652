// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/toml_reader.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/value_checks.h"

namespace ctapp {

Diagnostic located_at(const toml::source_region& region) {
  Diagnostic diagnostic;
  if (region.path) diagnostic.path = *region.path;
  diagnostic.line = region.begin.line;
  diagnostic.column = region.begin.column;
  return diagnostic;
}

std::string_view toml_type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date or time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

TableReader::TableReader(const toml::table& table, std::string table_name,
                         std::vector<std::string_view> known_keys, Diagnostics& diagnostics,
                         const Hint& hint)
    : table_(table), table_name_(std::move(table_name)), diagnostics_(diagnostics) {
  for (auto&& [key, node] : table_) {
    std::string_view name = key.str();
    if (std::find(known_keys.begin(), known_keys.end(), name) != known_keys.end()) continue;
    Diagnostic diagnostic = located_at(key.source());
    std::string elsewhere = hint ? hint(name) : std::string();
    std::string suggestion = closest_match(name, known_keys);
    diagnostic.message = fmt::format("unknown key '{}' in {}", name, table_name_);
    if (!elsewhere.empty()) {
      diagnostic.message += "; " + elsewhere;
    } else if (!suggestion.empty()) {
      diagnostic.message += fmt::format(", did you mean '{}'?", suggestion);
    }
    diagnostics_.push_back(std::move(diagnostic));
  }
}

const toml::node* TableReader::find(std::string_view key) const { return table_.get(key); }

void TableReader::error(const toml::node& node, std::string message) {
  Diagnostic diagnostic = located_at(node.source());
  diagnostic.message = std::move(message);
  diagnostics_.push_back(std::move(diagnostic));
}

void TableReader::type_error(std::string_view key, const toml::node& node,
                             std::string_view expected) {
  error(node, fmt::format("'{}' in {} must be {}, not {}", key, table_name_, expected,
                          toml_type_name(node.type())));
}

std::optional<std::string> TableReader::string(std::string_view key) {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  auto value = node->value<std::string>();
  if (!node->is_string() || !value) {
    type_error(key, *node, "a string");
    return std::nullopt;
  }
  if (auto checked = check_no_control_chars(*value); !checked) {
    error(*node, fmt::format("'{}': {}", key, checked.error().message));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> TableReader::boolean(std::string_view key) {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  if (!node->is_boolean()) {
    type_error(key, *node, "a boolean (true or false)");
    return std::nullopt;
  }
  return node->value<bool>();
}

std::optional<int64_t> TableReader::integer(std::string_view key) {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  if (!node->is_integer()) {
    type_error(key, *node, "an integer");
    return std::nullopt;
  }
  return node->value<int64_t>();
}

std::optional<std::vector<std::string>> TableReader::strings(std::string_view key) {
  const toml::node* node = find(key);
  if (!node) return std::nullopt;
  const toml::array* items = node->as_array();
  if (!items) {
    type_error(key, *node, "an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (const toml::node& item : *items) {
    auto value = item.value<std::string>();
    if (!item.is_string() || !value) {
      error(item, fmt::format("'{}' in {} must be an array of strings, but holds {}", key,
                              table_name_, toml_type_name(item.type())));
      ok = false;
    } else if (auto checked = check_no_control_chars(*value); !checked) {
      error(item, fmt::format("'{}': {}", key, checked.error().message));
      ok = false;
    } else {
      values.push_back(std::move(*value));
    }
  }
  if (!ok) return std::nullopt;
  return values;
}

const toml::table* TableReader::table(std::string_view key) {
  const toml::node* node = find(key);
  if (!node) return nullptr;
  if (!node->is_table()) {
    type_error(key, *node, "a table");
    return nullptr;
  }
  return node->as_table();
}

const toml::array* TableReader::array(std::string_view key) {
  const toml::node* node = find(key);
  if (!node) return nullptr;
  if (!node->is_array()) {
    type_error(key, *node, "an array");
    return nullptr;
  }
  return node->as_array();
}

}  // namespace ctapp
