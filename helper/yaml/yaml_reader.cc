// SPDX-License-Identifier: LGPL-2.1-or-later
#include "yaml/yaml_reader.h"

#include <charconv>
#include <map>

#include "yaml/yaml_library.h"

namespace ctapp {
namespace {

using nlohmann::json;

// One parser event, deleted with it.
struct Event {
  explicit Event(const YamlLibrary& library) : yaml(library) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event() {
    if (filled) yaml.event_delete(&event);
  }
  const YamlLibrary& yaml;
  yaml_event_t event{};
  bool filled = false;
};

std::string text_of(const yaml_char_t* text, size_t length) {
  return {reinterpret_cast<const char*>(text), length};
}

std::string text_of(const yaml_char_t* text) {
  return text ? reinterpret_cast<const char*>(text) : "";
}

json plain_scalar(const std::string& text) {
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  if (text == "null" || text == "~" || text.empty()) return nullptr;
  std::string_view digits = text;
  bool negative = digits.starts_with('-');
  if (negative) digits.remove_prefix(1);
  int base = 10;
  if (digits.starts_with("0x")) {
    base = 16;
    digits.remove_prefix(2);
  } else if (digits.starts_with("0o")) {
    base = 8;
    digits.remove_prefix(2);
  } else if (digits.size() > 1 && digits.starts_with('0')) {
    base = 8;
  }
  int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (!digits.empty() && error == std::errc() && end == digits.data() + digits.size())
    return negative ? json(-value) : json(static_cast<uint64_t>(value));
  return text;
}

json scalar(const yaml_event_t& event) {
  const auto& scalar = event.data.scalar;
  std::string text = text_of(scalar.value, scalar.length);
  bool is_string = scalar.style != YAML_PLAIN_SCALAR_STYLE || text_of(scalar.tag) == YAML_STR_TAG;
  return is_string ? json(std::move(text)) : plain_scalar(text);
}

class Reader {
 public:
  Reader(const YamlLibrary& yaml, std::string_view text, const std::string& what, YamlLimits limits)
      : yaml_(yaml), what_(what), limits_(limits) {
    yaml_.parser_initialize(&parser_);
    yaml_.parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                  text.size());
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader() { yaml_.parser_delete(&parser_); }

  Result<json> first_document() {
    Event event(yaml_);
    for (auto type : {YAML_STREAM_START_EVENT, YAML_DOCUMENT_START_EVENT}) {
      if (auto read = next(event); !read) return std::unexpected(read.error());
      if (event.event.type == YAML_STREAM_END_EVENT) return json(nullptr);  // no document
      if (event.event.type != type) return fail("{}: not YAML: unexpected event", what_);
    }
    if (auto read = next(event); !read) return std::unexpected(read.error());
    return value(event, 0);
  }

 private:
  struct Anchored {
    json value;
    size_t values;
  };

  Status next(Event& event) {
    if (event.filled) yaml_.event_delete(&event.event);
    event.filled = yaml_.parser_parse(&parser_, &event.event) != 0;
    if (event.filled) return {};
    std::string context = parser_.context ? fmt::format(" {}", parser_.context) : "";
    return fail("{}: not YAML: {}{} at line {}, column {}", what_,
                parser_.problem ? parser_.problem : "a parse error", context,
                parser_.problem_mark.line + 1, parser_.problem_mark.column + 1);
  }

  Status count(size_t added) {
    values_ += added;
    if (values_ > limits_.max_values) return fail("{}: more than {} values", what_, limits_.max_values);
    return {};
  }

  // The value whose first event is `first`, read to its last event.
  Result<json> value(Event& first, int depth) {
    if (depth > limits_.max_depth) return fail("{}: nested deeper than {} levels", what_, limits_.max_depth);
    const yaml_event_t& event = first.event;
    if (event.type == YAML_ALIAS_EVENT) {
      auto anchored = anchors_.find(text_of(event.data.alias.anchor));
      if (anchored == anchors_.end())
        return fail("{}: an alias to an unknown anchor '{}'", what_, text_of(event.data.alias.anchor));
      if (auto counted = count(anchored->second.values); !counted) return std::unexpected(counted.error());
      return anchored->second.value;
    }
    if (auto counted = count(1); !counted) return std::unexpected(counted.error());
    size_t values_before = values_;
    std::string anchor;
    json result;
    switch (event.type) {
      case YAML_SCALAR_EVENT:
        anchor = text_of(event.data.scalar.anchor);
        result = scalar(event);
        break;
      case YAML_SEQUENCE_START_EVENT: {
        anchor = text_of(event.data.sequence_start.anchor);
        result = json::array();
        Event item(yaml_);
        while (true) {
          if (auto read = next(item); !read) return std::unexpected(read.error());
          if (item.event.type == YAML_SEQUENCE_END_EVENT) break;
          auto element = value(item, depth + 1);
          if (!element) return element;
          result.push_back(std::move(*element));
        }
        break;
      }
      case YAML_MAPPING_START_EVENT: {
        anchor = text_of(event.data.mapping_start.anchor);
        result = json::object();
        Event item(yaml_);
        while (true) {
          if (auto read = next(item); !read) return std::unexpected(read.error());
          if (item.event.type == YAML_MAPPING_END_EVENT) break;
          if (item.event.type != YAML_SCALAR_EVENT) return fail("{}: a key that is not a string", what_);
          std::string key = text_of(item.event.data.scalar.value, item.event.data.scalar.length);
          if (auto read = next(item); !read) return std::unexpected(read.error());
          auto element = value(item, depth + 1);
          if (!element) return element;
          result[key] = std::move(*element);
        }
        break;
      }
      default:
        return fail("{}: not YAML: unexpected event", what_);
    }
    if (!anchor.empty()) anchors_[anchor] = {result, values_ - values_before + 1};
    return result;
  }

  const YamlLibrary& yaml_;
  const std::string& what_;
  YamlLimits limits_;
  yaml_parser_t parser_{};
  size_t values_ = 0;
  std::map<std::string, Anchored> anchors_;
};

}  // namespace

Result<json> parse_yaml(std::string_view text, const std::string& what, YamlLimits limits) {
  auto yaml = yaml_library();
  if (!yaml) return std::unexpected(yaml.error());
  Reader reader(**yaml, text, what, limits);
  return reader.first_document();
}

}  // namespace ctapp
