// SPDX-License-Identifier: LGPL-2.1-or-later
#include "kube/kube_yaml.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "yaml/yaml_library.h"

namespace ctapp {
namespace {

using Json = nlohmann::ordered_json;

// Whether a plain scalar `text` would be read back as something other than
// a string by YAML 1.1 or 1.2 readers (Kubernetes' reader accepts both).
bool needs_quotes(const std::string& text) {
  if (text.empty()) return true;
  static constexpr std::array<std::string_view, 16> kWords = {
      "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
      ".inf", "-.inf", "+.inf", ".nan", "<<", "="};
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (std::find(kWords.begin(), kWords.end(), lower) != kWords.end()) return true;
  // Numbers in any base or with a sign, and sexagesimal or date forms, all
  // begin with a digit, a sign or a dot.
  char first = text.front();
  return (first >= '0' && first <= '9') || first == '-' || first == '+' || first == '.';
}

// libyaml's emitter, writing one document into a string.
class Emitter {
 public:
  Emitter(const YamlLibrary& yaml, std::string& text) : yaml_(yaml) {
    yaml_.emitter_initialize(&emitter_);
    yaml_.emitter_set_output(&emitter_, &append, &text);
    yaml_.emitter_set_indent(&emitter_, 2);
    yaml_.emitter_set_width(&emitter_, -1);  // no folded lines
    yaml_.emitter_set_unicode(&emitter_, 1);
  }
  Emitter(const Emitter&) = delete;
  Emitter& operator=(const Emitter&) = delete;
  ~Emitter() { yaml_.emitter_delete(&emitter_); }

  // The document, without its "---" (the first of a stream is implicit).
  Status document(const Json& body) {
    yaml_event_t event;
    if (!yaml_.stream_start_event(&event, YAML_UTF8_ENCODING) || !emit(event) ||
        !yaml_.document_start_event(&event, nullptr, nullptr, nullptr, 1) || !emit(event) ||
        !value(body) || !yaml_.document_end_event(&event, 1) || !emit(event) ||
        !yaml_.stream_end_event(&event) || !emit(event))
      return fail("cannot write YAML: {}", emitter_.problem ? emitter_.problem : "out of memory");
    return {};
  }

 private:
  static int append(void* text, unsigned char* buffer, size_t size) {
    static_cast<std::string*>(text)->append(reinterpret_cast<const char*>(buffer), size);
    return 1;
  }

  bool emit(yaml_event_t& event) { return yaml_.emitter_emit(&emitter_, &event) != 0; }

  bool scalar(const std::string& text, yaml_scalar_style_t style) {
    yaml_event_t event;
    return yaml_.scalar_event(&event, nullptr, nullptr,
                              reinterpret_cast<const yaml_char_t*>(text.data()),
                              static_cast<int>(text.size()), 1, 1, style) &&
           emit(event);
  }

  bool string(const std::string& text) {
    return scalar(text, needs_quotes(text) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
  }

  bool value(const Json& value) {
    yaml_event_t event;
    switch (value.type()) {
      case Json::value_t::object:
        if (!yaml_.mapping_start_event(&event, nullptr, nullptr, 1, YAML_BLOCK_MAPPING_STYLE) || !emit(event))
          return false;
        for (const auto& [key, item] : value.items())
          if (!string(key) || !this->value(item)) return false;
        return yaml_.mapping_end_event(&event) && emit(event);
      case Json::value_t::array:
        if (!yaml_.sequence_start_event(&event, nullptr, nullptr, 1,
                                        value.empty() ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE) ||
            !emit(event))
          return false;
        for (const auto& item : value)
          if (!this->value(item)) return false;
        return yaml_.sequence_end_event(&event) && emit(event);
      case Json::value_t::string:
        return string(value.get_ref<const std::string&>());
      case Json::value_t::null:
        return scalar("~", YAML_PLAIN_SCALAR_STYLE);
      default:  // numbers and booleans: their JSON text is their YAML text
        return scalar(value.dump(), YAML_PLAIN_SCALAR_STYLE);
    }
  }

  const YamlLibrary& yaml_;
  yaml_emitter_t emitter_{};
};

}  // namespace

Result<std::string> kube_yaml(const std::vector<KubeDocument>& documents) {
  auto yaml = yaml_library();
  if (!yaml) return std::unexpected(yaml.error());
  std::string text;
  for (const auto& document : documents) {
    text += "---\n";
    for (const auto& line : document.comments) text += fmt::format("# {}\n", line);
    Emitter emitter(**yaml, text);
    if (auto written = emitter.document(document.body); !written) return std::unexpected(written.error());
  }
  return text;
}

}  // namespace ctapp
