// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/ref_name.h"

#include <vector>

#include "store/sha256.h"

namespace ctapp {
namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_valid_component(std::string_view component) {
  if (component.empty() || !is_alnum(component.front()) || !is_alnum(component.back())) return false;
  size_t i = 0;
  while (i < component.size()) {
    if (is_alnum(component[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < component.size() && !is_alnum(component[i])) ++i;
    std::string_view separator = component.substr(start, i - start);
    bool single = separator.size() == 1 && std::string_view("-._:@+").find(separator[0]) != std::string_view::npos;
    if (!single && separator != "--") return false;
  }
  return true;
}

// Keeps alphanumerics and single '-', '.', '_' between them; any other run
// of characters becomes one '-'. The result is a valid component (or "x").
std::string sanitize_component(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (is_alnum(text[i])) {
      out += text[i++];
      continue;
    }
    size_t start = i;
    while (i < text.size() && !is_alnum(text[i])) ++i;
    if (start == 0 || i == text.size()) continue;  // no separator at either end
    bool single = i - start == 1 && std::string_view("-._").find(text[start]) != std::string_view::npos;
    out += single ? text[start] : '-';
  }
  return out.empty() ? "x" : out;
}

std::string short_hash(std::string_view text) {
  auto hash = Sha256::create();
  if (!hash) return "0";
  hash->update(text.data(), text.size());
  return hash->digest().substr(7, 12);
}

}  // namespace

bool is_valid_ref_name(std::string_view name) {
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    if (!is_valid_component(name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start)))
      return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::string store_ref_name(const ImageReference& ref) {
  if (ref.transport == ImageReference::Transport::kDocker) return ref.store_name();
  std::string prefix = ref.transport == ImageReference::Transport::kOciDir ? "oci" : "oci-archive";
  std::vector<std::string_view> components;
  std::string_view path = ref.path;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view component = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!component.empty() && component != ".") components.push_back(component);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string suffix = ref.tag.empty() ? "" : ":" + ref.tag;
  if (!ref.digest.empty()) suffix += "@" + ref.digest;
  std::string name = prefix;
  for (auto component : components) name += "/" + std::string(component);
  if (is_valid_ref_name(name + suffix)) return name + suffix;
  name = prefix;
  for (auto component : components) name += "/" + sanitize_component(component);
  name += (components.empty() ? "/" : "-") + short_hash(ref.canonical());
  if (!ref.tag.empty()) name += ":" + sanitize_component(ref.tag);
  if (!ref.digest.empty()) name += "@" + ref.digest;
  return name;
}

std::string store_ref_name(const ImageReference& ref, const Platform& platform) {
  std::string name = store_ref_name(ref);
  if (platform_matches(Platform::current(), platform)) return name;
  name += "+" + platform.os + "-" + platform.architecture;
  if (!platform.variant.empty()) name += "-" + platform.variant;
  return name;
}

}  // namespace ctapp
