// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace ctapp {

// One challenge of a WWW-Authenticate header: scheme ("Bearer", "Basic")
// and its parameters (realm, service, scope), quoted or not, in any order.
struct AuthChallenge {
  std::string scheme;
  std::map<std::string, std::string> parameters;
};

// Parses every challenge of a WWW-Authenticate header value.
std::vector<AuthChallenge> parse_www_authenticate(const std::string& header);

struct Credentials {
  std::string username;
  std::string password;
  std::string source;  // the file they came from, for messages
};

// What default_auth_files() depends on, so the order can be tested.
struct AuthEnvironment {
  std::string registry_auth_file;  // $REGISTRY_AUTH_FILE
  std::string xdg_runtime_dir;     // $XDG_RUNTIME_DIR
  std::string xdg_config_home;     // $XDG_CONFIG_HOME
  std::string home;                // $HOME
  unsigned uid = 0;
  static AuthEnvironment current();
};

// Where credentials are looked up, in order (containers-auth.json(5), plus
// the machine-wide file): $REGISTRY_AUTH_FILE; the primary file that
// `podman login` / `skopeo login` write, $XDG_RUNTIME_DIR/containers/auth.json,
// and /run/containers/UID/auth.json (where they write it when
// $XDG_RUNTIME_DIR is unset, as for root in a service or under sudo);
// /etc/containers/auth.json; $XDG_CONFIG_HOME/containers/auth.json
// (default ~/.config); ~/.docker/config.json (Docker's format).
std::vector<std::filesystem::path> auth_files_for(const AuthEnvironment& environment);
std::vector<std::filesystem::path> default_auth_files();

// The credentials for `registry` ("docker.io", "127.0.0.1:5000") from the
// first file that has an "auths" entry for it. A file that names a
// credential helper for it (credHelpers, credsStore) without an entry is an
// error that says so: ctapp does not run credential helpers.
Result<std::optional<Credentials>> find_credentials(const std::vector<std::filesystem::path>& files,
                                                    const std::string& registry);

// Base64 (OpenSSL's), for "user:password" and the "auth" field of auth.json.
Result<std::string> base64_encode(const std::string& data);
Result<std::string> base64_decode(const std::string& text);

}  // namespace ctapp
