// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/toml_library.h"

#include "core/diagnostic.h"

namespace ctapp {

// Typed, located access to one TOML table of a .ctapp file. Every problem
// (unknown key, wrong type, control characters) becomes a Diagnostic at the
// key or value it concerns; getters then return nothing and parsing goes on,
// so that one run reports every mistake in a file.
class TableReader {
 public:
  // Says where an unknown key belongs instead, e.g. "it belongs in [resources]".
  using Hint = std::function<std::string(std::string_view key)>;

  // Reports keys of `table` not in `known_keys` right away. `table_name` is
  // how messages name the table ("[run]", "the top level").
  TableReader(const toml::table& table, std::string table_name,
              std::vector<std::string_view> known_keys, Diagnostics& diagnostics,
              const Hint& hint = {});

  const toml::node* find(std::string_view key) const;
  std::optional<std::string> string(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<int64_t> integer(std::string_view key);
  // An array of strings; every element is checked.
  std::optional<std::vector<std::string>> strings(std::string_view key);
  const toml::table* table(std::string_view key);
  const toml::array* array(std::string_view key);

  // Reports `message` at `node`'s position.
  void error(const toml::node& node, std::string message);
  const std::string& table_name() const { return table_name_; }

 private:
  void type_error(std::string_view key, const toml::node& node, std::string_view expected);

  const toml::table& table_;
  std::string table_name_;
  Diagnostics& diagnostics_;
};

// Where a node of the document is, as a Diagnostic with an empty message.
Diagnostic located_at(const toml::source_region& region);
std::string_view toml_type_name(toml::node_type type);

}  // namespace ctapp
