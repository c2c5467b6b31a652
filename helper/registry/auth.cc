// SPDX-License-Identifier: LGPL-2.1-or-later
#include "registry/auth.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <unistd.h>

#include <fmt/format.h>

#include "json/json_reader.h"
#include "store/crypto_library.h"

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

AuthEnvironment AuthEnvironment::current() {
  auto variable = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value ? value : "");
  };
  return {variable("REGISTRY_AUTH_FILE"), variable("XDG_RUNTIME_DIR"), variable("XDG_CONFIG_HOME"),
          variable("HOME"), static_cast<unsigned>(::getuid())};
}

std::vector<std::filesystem::path> auth_files_for(const AuthEnvironment& environment) {
  std::vector<std::filesystem::path> files;
  auto add = [&](const std::filesystem::path& file) {
    if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
  };
  if (!environment.registry_auth_file.empty()) add(environment.registry_auth_file);
  if (!environment.xdg_runtime_dir.empty())
    add(std::filesystem::path(environment.xdg_runtime_dir) / "containers/auth.json");
  add(fmt::format("/run/containers/{}/auth.json", environment.uid));
  add("/etc/containers/auth.json");
  if (!environment.xdg_config_home.empty())
    add(std::filesystem::path(environment.xdg_config_home) / "containers/auth.json");
  else if (!environment.home.empty())
    add(std::filesystem::path(environment.home) / ".config/containers/auth.json");
  if (!environment.home.empty()) add(std::filesystem::path(environment.home) / ".docker/config.json");
  return files;
}

std::vector<std::filesystem::path> default_auth_files() { return auth_files_for(AuthEnvironment::current()); }

Result<std::optional<Credentials>> find_credentials(const std::vector<std::filesystem::path>& files,
                                                    const std::string& registry) {
  for (const auto& file : files) {
    std::error_code error;
    if (!std::filesystem::exists(file, error)) continue;
    auto json = read_json_file(file, {.max_size = 1 << 20});
    if (!json) return fail("credentials file: {}", json.error().message);
    JsonView root(*json, "credentials file '" + file.string() + "'");
    if (auto object = root.expect_object(); !object) return std::unexpected(object.error());
    auto auths = root.optional_object("auths");
    if (!auths) return std::unexpected(auths.error());
    for (const auto& key : *auths ? auth_keys(registry) : std::vector<std::string>()) {
      auto entry = (*auths)->optional_object(key);
      if (!entry) return std::unexpected(entry.error());
      if (!*entry) continue;
      auto auth = (*entry)->optional_string("auth");
      if (!auth) return std::unexpected(auth.error());
      auto username = (*entry)->optional_string("username");
      if (!username) return std::unexpected(username.error());
      auto password = (*entry)->optional_string("password");
      if (!password) return std::unexpected(password.error());
      std::string user_password;
      if (*auth) {
        auto decoded = base64_decode(**auth);
        if (!decoded) return fail("'{}': the auth of '{}': {}", file.string(), key, decoded.error().message);
        user_password = *decoded;
      } else if (*username && *password) {
        user_password = **username + ":" + **password;
      }
      auto colon = user_password.find(':');
      if (colon == std::string::npos) continue;
      return std::optional<Credentials>(
          Credentials{user_password.substr(0, colon), user_password.substr(colon + 1), file.string()});
    }
    auto helpers = root.string_map("credHelpers");
    if (!helpers) return std::unexpected(helpers.error());
    if (helpers->contains(registry) || root.has("credsStore"))
      return fail("'{}' asks a credential helper for '{}', which ctapp does not run: log in with "
                  "'skopeo login --authfile /etc/containers/auth.json {}' instead",
                  file.string(), registry, registry);
  }
  return std::optional<Credentials>();
}

Result<std::string> base64_encode(const std::string& data) {
  auto crypto = crypto_library();
  if (!crypto) return std::unexpected(crypto.error());
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int length = (*crypto)->encode_block(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(data.data()),
                               static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(std::max(length, 0)));
  return out;
}

Result<std::string> base64_decode(const std::string& text) {
  auto crypto = crypto_library();
  if (!crypto) return std::unexpected(crypto.error());
  if (text.size() % 4 != 0) return fail("not base64");
  std::string out(3 * text.size() / 4 + 1, '\0');
  int length = (*crypto)->decode_block(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  if (length < 0) return fail("not base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t padding = static_cast<size_t>(std::count(text.end() - std::min<size_t>(2, text.size()), text.end(), '='));
  out.resize(static_cast<size_t>(length) - padding);
  return out;
}

}  // namespace ctapp
