// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/image_reference.h"

#include <algorithm>
#include <cctype>

namespace ctapp {
namespace {

constexpr std::string_view kDockerHub = "docker.io";
constexpr size_t kMaxReferenceLength = 4096;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component of a repository: [a-z0-9]+ joined by '.', '_', '__' or '-'+.
bool is_valid_component(std::string_view part) {
  if (part.empty() || !is_lower_alnum(part.front()) || !is_lower_alnum(part.back())) return false;
  for (size_t i = 0; i < part.size(); ++i) {
    char c = part[i];
    if (is_lower_alnum(c) || c == '-') continue;
    if (c == '.' || c == '_') {
      bool double_underscore = c == '_' && i + 1 < part.size() && part[i + 1] == '_';
      if (double_underscore) ++i;
      if (!is_lower_alnum(part[i + 1])) return false;
      continue;
    }
    return false;
  }
  return true;
}

bool is_valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(tag.front())) return false;
  return std::all_of(tag.begin(), tag.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

bool is_valid_digest(std::string_view digest) {
  constexpr std::string_view kPrefix = "sha256:";
  if (!digest.starts_with(kPrefix) || digest.size() != kPrefix.size() + 64) return false;
  return std::all_of(digest.begin() + kPrefix.size(), digest.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool looks_like_registry(std::string_view first) {
  return first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
         first == "localhost";
}

bool is_valid_registry(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
  });
}

Result<ImageReference> parse_oci(std::string_view text, std::string_view location,
                                 ImageReference::Transport transport) {
  ImageReference ref;
  ref.transport = transport;
  auto colon = location.find(':');
  ref.path = std::string(location.substr(0, colon));
  if (colon != std::string_view::npos) ref.tag = std::string(location.substr(colon + 1));
  if (ref.path.empty() || ref.path.front() != '/')
    return fail("image '{}': an oci: or oci-archive: source needs an absolute path", text);
  if (!ref.tag.empty() && !is_valid_tag(ref.tag) && !is_valid_digest(ref.tag))
    return fail("image '{}': '{}' is not a valid tag", text, ref.tag);
  if (is_valid_digest(ref.tag)) std::swap(ref.tag, ref.digest);
  return ref;
}

}  // namespace

Result<ImageReference> parse_image_reference(std::string_view text) {
  if (text.empty()) return fail("image reference is empty");
  if (text.size() > kMaxReferenceLength) return fail("image reference is longer than 4096 bytes");
  if (text.starts_with("oci:")) return parse_oci(text, text.substr(4), ImageReference::Transport::kOciDir);
  if (text.starts_with("oci-archive:"))
    return parse_oci(text, text.substr(12), ImageReference::Transport::kOciArchive);
  std::string_view rest = text;
  if (rest.starts_with("docker://")) rest.remove_prefix(9);

  ImageReference ref;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    if (!is_valid_digest(ref.digest))
      return fail("image '{}': '{}' is not a sha256 digest (sha256: and 64 lowercase hex digits)",
                  text, ref.digest);
    rest = rest.substr(0, at);
  }
  auto slash = rest.find('/');
  if (slash != std::string_view::npos && looks_like_registry(rest.substr(0, slash))) {
    ref.registry = std::string(rest.substr(0, slash));
    ref.registry_given = true;
    rest.remove_prefix(slash + 1);
    if (!is_valid_registry(ref.registry))
      return fail("image '{}': '{}' is not a valid registry host", text, ref.registry);
  } else {
    ref.registry = std::string(kDockerHub);
  }
  auto last_slash = rest.rfind('/');
  auto tag_colon = rest.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
  if (tag_colon != std::string_view::npos) {
    ref.tag = std::string(rest.substr(tag_colon + 1));
    rest = rest.substr(0, tag_colon);
    if (!is_valid_tag(ref.tag)) return fail("image '{}': '{}' is not a valid tag", text, ref.tag);
  }
  if (rest.empty()) return fail("image '{}': the repository name is missing", text);
  std::string_view components = rest;
  while (true) {
    auto next = components.find('/');
    if (!is_valid_component(components.substr(0, next)))
      return fail(
          "image '{}': '{}' is not a valid repository name (lowercase letters, digits and "
          "separators . _ - only)",
          text, rest);
    if (next == std::string_view::npos) break;
    components.remove_prefix(next + 1);
  }
  ref.repository = std::string(rest);
  if (ref.registry == kDockerHub && ref.repository.find('/') == std::string::npos)
    ref.repository = "library/" + ref.repository;
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

std::string ImageReference::canonical() const {
  switch (transport) {
    case Transport::kOciDir:
      return "oci:" + store_name();
    case Transport::kOciArchive:
      return "oci-archive:" + store_name();
    case Transport::kDocker:
      break;
  }
  return store_name();
}

std::string ImageReference::store_name() const {
  std::string name = transport == Transport::kDocker ? registry + "/" + repository : path;
  if (!tag.empty()) name += ":" + tag;
  if (!digest.empty()) name += "@" + digest;
  return name;
}

std::string ImageReference::version() const {
  if (!tag.empty()) return tag;
  if (!digest.empty()) return digest.substr(7, 12);
  return "latest";
}

std::string ImageReference::registry_host() const {
  return registry == kDockerHub ? "registry-1.docker.io" : registry;
}

}  // namespace ctapp
