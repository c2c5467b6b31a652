// SPDX-License-Identifier: LGPL-2.1-or-later
#include "registry/auth.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "core/atomic_file.h"

namespace ctapp {
namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The keys under which an auth file may hold `registry`.
std::vector<std::string> auth_keys(const std::string& registry) {
  std::vector<std::string> keys = {registry, "https://" + registry, "http://" + registry,
                                   "https://" + registry + "/v1/", "https://" + registry + "/v2/"};
  if (registry == "docker.io")
    keys.insert(keys.end(), {"https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io"});
  return keys;
}

}  // namespace

std::vector<AuthChallenge> parse_www_authenticate(const std::string& header) {
  std::vector<AuthChallenge> challenges;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < header.size() && (header[i] == ' ' || header[i] == '\t' || header[i] == ',')) ++i;
  };
  while (true) {
    skip_space();
    if (i >= header.size()) break;
    size_t start = i;
    while (i < header.size() && header[i] != ' ' && header[i] != ',' && header[i] != '=') ++i;
    std::string token = header.substr(start, i - start);
    if (i < header.size() && header[i] == '=') {
      // A parameter of the current challenge.
      ++i;
      std::string value;
      if (i < header.size() && header[i] == '"') {
        ++i;
        while (i < header.size() && header[i] != '"') {
          if (header[i] == '\\' && i + 1 < header.size()) ++i;
          value += header[i++];
        }
        ++i;
      } else {
        size_t value_start = i;
        while (i < header.size() && header[i] != ',' && header[i] != ' ') ++i;
        value = header.substr(value_start, i - value_start);
      }
      if (!challenges.empty()) challenges.back().parameters[lowercase(token)] = value;
    } else if (!token.empty()) {
      challenges.push_back({token, {}});
    }
  }
  return challenges;
}

std::vector<std::filesystem::path> default_auth_files() {
  std::vector<std::filesystem::path> files;
  if (const char* file = std::getenv("REGISTRY_AUTH_FILE"); file && *file) files.emplace_back(file);
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime)
    files.push_back(std::filesystem::path(runtime) / "containers/auth.json");
  files.emplace_back("/etc/containers/auth.json");
  if (const char* home = std::getenv("HOME"); home && *home)
    files.push_back(std::filesystem::path(home) / ".docker/config.json");
  return files;
}

Result<std::optional<Credentials>> find_credentials(const std::vector<std::filesystem::path>& files,
                                                    const std::string& registry) {
  for (const auto& file : files) {
    std::error_code error;
    if (!std::filesystem::exists(file, error)) continue;
    auto text = read_file(file, 1 << 20);
    if (!text) return std::unexpected(text.error());
    auto json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_discarded() || !json.is_object())
      return fail("credentials file '{}' is not valid JSON", file.string());
    if (json.contains("auths") && json["auths"].is_object()) {
      for (const auto& key : auth_keys(registry)) {
        if (!json["auths"].contains(key) || !json["auths"][key].is_object()) continue;
        const auto& entry = json["auths"][key];
        std::string user_password;
        if (entry.contains("auth") && entry["auth"].is_string()) {
          auto decoded = base64_decode(entry["auth"].get<std::string>());
          if (!decoded) return fail("'{}': the auth of '{}' is not base64", file.string(), key);
          user_password = *decoded;
        } else if (entry.contains("username") && entry.contains("password")) {
          user_password = entry.value("username", "") + ":" + entry.value("password", "");
        }
        auto colon = user_password.find(':');
        if (colon == std::string::npos) continue;
        return std::optional<Credentials>(
            Credentials{user_password.substr(0, colon), user_password.substr(colon + 1), file.string()});
      }
    }
    bool helper = (json.contains("credHelpers") && json["credHelpers"].is_object() &&
                   json["credHelpers"].contains(registry)) ||
                  json.contains("credsStore");
    if (helper)
      return fail("'{}' asks a credential helper for '{}', which ctapp does not run: log in with "
                  "'skopeo login --authfile /etc/containers/auth.json {}' instead",
                  file.string(), registry, registry);
  }
  return std::optional<Credentials>();
}

std::string base64_encode(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(data.data()),
                               static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(std::max(length, 0)));
  return out;
}

std::optional<std::string> base64_decode(const std::string& text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4 + 1, '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  if (length < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t padding = static_cast<size_t>(std::count(text.end() - std::min<size_t>(2, text.size()), text.end(), '='));
  out.resize(static_cast<size_t>(length) - padding);
  return out;
}

}  // namespace ctapp
