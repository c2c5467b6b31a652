// SPDX-License-Identifier: LGPL-2.1-or-later
#include "kube/kube_yaml.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <yaml-cpp/yaml.h>

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

void emit(YAML::Emitter& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key << key << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case Json::value_t::array:
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case Json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      if (needs_quotes(text)) out << YAML::DoubleQuoted;
      out << text;
      break;
    }
    case Json::value_t::boolean:
      out << value.get<bool>();
      break;
    case Json::value_t::number_integer:
      out << value.get<int64_t>();
      break;
    case Json::value_t::number_unsigned:
      out << value.get<uint64_t>();
      break;
    case Json::value_t::number_float:
      out << value.get<double>();
      break;
    default:
      out << YAML::Null;
  }
}

}  // namespace

std::string kube_yaml(const std::vector<KubeDocument>& documents) {
  std::string text;
  for (const auto& document : documents) {
    YAML::Emitter out;
    out.SetIndent(2);
    out.SetSeqFormat(YAML::Block);
    // One comment: yaml-cpp continues it on each '\n' with "# ", where
    // comments emitted one after another would share a line.
    std::string comment;
    for (const auto& line : document.comments) comment += (comment.empty() ? "" : "\n") + line;
    if (!comment.empty()) out << YAML::Comment(comment);
    emit(out, document.body);
    text += "---\n";
    text += out.c_str();
    text += "\n";
  }
  return text;
}

}  // namespace ctapp
