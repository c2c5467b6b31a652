// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/image_reference.h"
#include "core/result.h"

namespace ctapp {

// containers-registries.conf(5), version 2: what ctapp uses of it.
struct RegistriesConfig {
  struct Endpoint {
    std::string location;  // host[:port][/path-prefix]
    bool insecure = false; // plain HTTP or unverified TLS allowed
  };
  struct Registry {
    std::string prefix;    // matched against "host/repository"
    Endpoint endpoint;
    bool blocked = false;
    std::vector<Endpoint> mirrors;
  };
  std::vector<std::string> unqualified_search;
  std::map<std::string, std::string> aliases;  // short name -> full name
  std::vector<Registry> registries;
};

// Reads `main_file` then `dropin_dir`/*.conf in name order (later files add
// registries and aliases and replace the search list). Missing files are
// not an error; a malformed one is, with file:line:col.
Result<RegistriesConfig> load_registries_config(const std::filesystem::path& main_file,
                                                const std::filesystem::path& dropin_dir);

// Where to pull `ref` from, in order of preference.
struct PullSource {
  std::string host;        // "127.0.0.1:5000", "registry-1.docker.io"
  std::string repository;  // the repository at that host
  bool insecure = false;
  std::string name;        // "host/repository", for messages
};

// Resolves `written` (the reference as the user wrote it, for aliases and
// short names) and its parsed form into pull sources: an alias if there is
// one, the unqualified-search registries for a short name (else
// docker.io), then for each candidate its mirrors and its location.
// Fails for a blocked registry.
Result<std::vector<PullSource>> pull_sources(const RegistriesConfig& config,
                                             const std::string& written,
                                             const ImageReference& ref);

}  // namespace ctapp
