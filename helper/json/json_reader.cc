// SPDX-License-Identifier: LGPL-2.1-or-later
#include "json/json_reader.h"

#include <limits>

#include "core/atomic_file.h"

namespace ctapp {
namespace {

// The deepest nesting of `text`, counting only brackets outside strings;
// stops counting once `limit` is passed. Linear, no recursion: it runs
// before the parser so that a million '[' never reach it.
bool nests_deeper_than(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

std::string describe(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_float: return "a fractional number";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "a number";
    default: return "something else";
  }
}

}  // namespace

Result<nlohmann::json> parse_json(std::string_view text, std::string_view what, const JsonLimits& limits) {
  if (text.size() > limits.max_size)
    return fail("{} is {} bytes, more than the {} ctapp reads", what, text.size(), limits.max_size);
  if (nests_deeper_than(text, limits.max_depth))
    return fail("{} nests deeper than {} levels", what, limits.max_depth);
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& error) {
    return fail("{} is not valid JSON (error at byte {})", what, error.byte);
  } catch (const std::exception& error) {
    return fail("{} cannot be parsed: {}", what, error.what());
  }
}

Result<nlohmann::json> read_json_file(const std::filesystem::path& file, const JsonLimits& limits) {
  auto text = read_file(file, limits.max_size);
  if (!text) return std::unexpected(text.error());
  return parse_json(*text, "'" + file.string() + "'", limits);
}

std::string dump_json(const nlohmann::json& value, int indent) noexcept {
  try {
    return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (...) {
    // Only allocation can fail with the replace policy.
    return {};
  }
}

bool is_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    uint32_t code = length == 1 ? c : c & (0xff >> (length + 1));
    for (size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

JsonView::JsonView(const nlohmann::json& value, std::string context, std::string field)
    : value_(&value), context_(std::move(context)), field_(std::move(field)) {}

std::string JsonView::field_name(std::string_view key) const {
  if (field_.empty()) return std::string(key);
  return field_ + "." + std::string(key);
}

Status JsonView::expect_object() const {
  if (value_->is_object()) return {};
  if (field_.empty()) return fail("{} must be a JSON object, not {}", context_, describe(*value_));
  return fail("{}: '{}' must be an object, not {}", context_, field_, describe(*value_));
}

const nlohmann::json* JsonView::member(std::string_view key) const {
  if (!value_->is_object()) return nullptr;
  auto found = value_->find(key);
  if (found == value_->end() || found->is_null()) return nullptr;
  return &*found;
}

bool JsonView::has(std::string_view key) const { return member(key) != nullptr; }

std::unexpected<Error> JsonView::wrong_type(std::string_view key, std::string_view expected) const {
  if (!value_->is_object()) return std::unexpected(expect_object().error());
  const nlohmann::json* value = member(key);
  if (!value) return fail("{}: '{}' is missing (it must be {})", context_, field_name(key), expected);
  return fail("{}: '{}' must be {}, not {}", context_, field_name(key), expected, describe(*value));
}

Result<std::string> JsonView::string(std::string_view key) const {
  const nlohmann::json* value = member(key);
  if (!value || !value->is_string()) return wrong_type(key, "a string");
  return value->get_ref<const std::string&>();
}

Result<std::optional<std::string>> JsonView::optional_string(std::string_view key) const {
  if (!member(key)) {
    if (auto object = expect_object(); !object) return std::unexpected(object.error());
    return std::optional<std::string>();
  }
  auto value = string(key);
  if (!value) return std::unexpected(value.error());
  return std::optional<std::string>(std::move(*value));
}

Result<int64_t> JsonView::integer(std::string_view key, int64_t min, int64_t max) const {
  const nlohmann::json* value = member(key);
  std::string expected = fmt::format("an integer from {} to {}", min, max);
  if (!value || !value->is_number_integer()) return wrong_type(key, expected);
  if (value->is_number_unsigned()) {
    auto number = value->get<uint64_t>();
    if (max < 0 || number > static_cast<uint64_t>(max)) return wrong_type(key, expected);
    return static_cast<int64_t>(number);
  }
  auto number = value->get<int64_t>();
  if (number < min || number > max) return wrong_type(key, expected);
  return number;
}

Result<std::optional<int64_t>> JsonView::optional_integer(std::string_view key, int64_t min, int64_t max) const {
  if (!member(key)) {
    if (auto object = expect_object(); !object) return std::unexpected(object.error());
    return std::optional<int64_t>();
  }
  auto value = integer(key, min, max);
  if (!value) return std::unexpected(value.error());
  return std::optional<int64_t>(*value);
}

Result<uint64_t> JsonView::unsigned_integer(std::string_view key, uint64_t max) const {
  const nlohmann::json* value = member(key);
  std::string expected = fmt::format("an integer from 0 to {}", max);
  if (!value || !value->is_number_integer()) return wrong_type(key, expected);
  if (!value->is_number_unsigned() && value->get<int64_t>() < 0) return wrong_type(key, expected);
  auto number = value->get<uint64_t>();
  if (number > max) return wrong_type(key, expected);
  return number;
}

Result<std::optional<bool>> JsonView::optional_boolean(std::string_view key) const {
  const nlohmann::json* value = member(key);
  if (!value) {
    if (auto object = expect_object(); !object) return std::unexpected(object.error());
    return std::optional<bool>();
  }
  if (!value->is_boolean()) return wrong_type(key, "true or false");
  return std::optional<bool>(value->get<bool>());
}

Result<JsonView> JsonView::object(std::string_view key) const {
  const nlohmann::json* value = member(key);
  if (!value || !value->is_object()) return wrong_type(key, "an object");
  return JsonView(*value, context_, field_name(key));
}

Result<std::optional<JsonView>> JsonView::optional_object(std::string_view key) const {
  if (!member(key)) {
    if (auto object = expect_object(); !object) return std::unexpected(object.error());
    return std::optional<JsonView>();
  }
  auto value = object(key);
  if (!value) return std::unexpected(value.error());
  return std::optional<JsonView>(std::move(*value));
}

Result<std::vector<JsonView>> JsonView::array(std::string_view key) const {
  const nlohmann::json* value = member(key);
  if (!value || !value->is_array()) return wrong_type(key, "an array");
  std::vector<JsonView> elements;
  elements.reserve(value->size());
  std::string name = field_name(key);
  for (size_t i = 0; i < value->size(); ++i)
    elements.emplace_back((*value)[i], context_, fmt::format("{}[{}]", name, i));
  return elements;
}

Result<std::vector<JsonView>> JsonView::optional_array(std::string_view key) const {
  if (!member(key)) {
    if (auto object = expect_object(); !object) return std::unexpected(object.error());
    return std::vector<JsonView>();
  }
  return array(key);
}

Result<std::vector<std::string>> JsonView::strings(std::string_view key) const {
  const nlohmann::json* array = member(key);
  if (!array) {
    if (auto object = expect_object(); !object) return std::unexpected(object.error());
    return std::vector<std::string>();
  }
  if (!array->is_array()) return wrong_type(key, "an array");
  std::vector<std::string> values;
  values.reserve(array->size());
  // A view, with its field name, only for an element that is not a string.
  for (size_t i = 0; i < array->size(); ++i) {
    const nlohmann::json& element = (*array)[i];
    if (!element.is_string())
      return std::unexpected(
          JsonView(element, context_, fmt::format("{}[{}]", field_name(key), i)).as_string().error());
    values.push_back(element.get_ref<const std::string&>());
  }
  return values;
}

Result<std::map<std::string, std::string>> JsonView::string_map(std::string_view key) const {
  std::map<std::string, std::string> values;
  const nlohmann::json* value = member(key);
  if (!value) {
    if (auto object = expect_object(); !object) return std::unexpected(object.error());
    return values;
  }
  if (!value->is_object()) return wrong_type(key, "an object of strings");
  for (const auto& [name, entry] : value->items()) {
    if (!entry.is_string())
      return fail("{}: '{}.{}' must be a string, not {}", context_, field_name(key), name, describe(entry));
    values.emplace(name, entry.get<std::string>());
  }
  return values;
}

Result<std::string> JsonView::as_string() const {
  if (!value_->is_string())
    return fail("{}: '{}' must be a string, not {}", context_, field_.empty() ? "(document)" : field_,
                describe(*value_));
  return value_->get_ref<const std::string&>();
}

}  // namespace ctapp
