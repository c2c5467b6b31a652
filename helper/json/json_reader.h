// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace ctapp {

// JSON from outside (registries, image layouts, CNI plugins, auth files,
// seccomp profiles, runc) is read only through this file: nlohmann's
// value(), get<>() and dump() throw on a wrong type or bad UTF-8, and a deep
// nesting overflows the stack of the recursive code that walks a document.

struct JsonLimits {
  size_t max_size = 4 << 20;
  int max_depth = 64;  // OCI documents and CNI results nest fewer than 10 levels
};

// Parses `text`. Fails naming `what` when the text is larger than
// limits.max_size, nests deeper than limits.max_depth or is not JSON. Never
// throws.
Result<nlohmann::json> parse_json(std::string_view text, std::string_view what,
                                  const JsonLimits& limits = {});

// Reads `file` (at most limits.max_size bytes) and parses it; errors name the file.
Result<nlohmann::json> read_json_file(const std::filesystem::path& file, const JsonLimits& limits = {});

// Serialises `value` (indented when indent >= 0). Bytes that are not UTF-8
// become U+FFFD instead of an exception. Never throws.
std::string dump_json(const nlohmann::json& value, int indent = -1) noexcept;

// True when `text` is valid UTF-8 (what JSON strings must hold).
bool is_utf8(std::string_view text);

// A read-only view of one value of an outside document. Getters return an
// error naming the document and the field ("manifest: 'mediaType' must be a
// string") instead of throwing. An absent field and JSON null are the same
// to the optional getters.
class JsonView {
 public:
  // `context` names the document in messages ("manifest sha256:…",
  // "'/etc/containers/auth.json'"); `field` is the position inside it.
  JsonView(const nlohmann::json& value, std::string context, std::string field = "");

  const nlohmann::json& raw() const { return *value_; }
  const std::string& context() const { return context_; }
  // "layers[0].digest"-style name of `key` below this value.
  std::string field_name(std::string_view key) const;

  // Fails unless this value is an object.
  Status expect_object() const;
  bool has(std::string_view key) const;

  Result<std::string> string(std::string_view key) const;
  Result<std::optional<std::string>> optional_string(std::string_view key) const;
  Result<int64_t> integer(std::string_view key, int64_t min, int64_t max) const;
  Result<std::optional<int64_t>> optional_integer(std::string_view key, int64_t min, int64_t max) const;
  Result<uint64_t> unsigned_integer(std::string_view key, uint64_t max) const;
  Result<std::optional<bool>> optional_boolean(std::string_view key) const;
  Result<JsonView> object(std::string_view key) const;
  Result<std::optional<JsonView>> optional_object(std::string_view key) const;
  Result<std::vector<JsonView>> array(std::string_view key) const;
  // An absent (or null) array is empty.
  Result<std::vector<JsonView>> optional_array(std::string_view key) const;
  // An array of strings; absent or null is empty.
  Result<std::vector<std::string>> strings(std::string_view key) const;
  // An object whose values are strings; absent or null is empty.
  Result<std::map<std::string, std::string>> string_map(std::string_view key) const;
  // This value itself as a string (for array elements).
  Result<std::string> as_string() const;

 private:
  const nlohmann::json* member(std::string_view key) const;  // null when absent or JSON null
  std::unexpected<Error> wrong_type(std::string_view key, std::string_view expected) const;

  const nlohmann::json* value_;
  std::string context_;
  std::string field_;
};

}  // namespace ctapp
