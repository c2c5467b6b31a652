// SPDX-License-Identifier: LGPL-2.1-or-later
#include "registry/registries_conf.h"

#include <algorithm>

#include "core/toml_library.h"

#include "core/atomic_file.h"

namespace ctapp {
namespace {

// "host[:port][/path]": a location must name a host.
bool is_location(const std::string& location) { return !location.empty() && location.front() != '/'; }

Status merge_file(RegistriesConfig& config, const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::exists(file, error)) return {};
  auto text = read_file(file, 1 << 20);
  if (!text) return std::unexpected(text.error());
  toml::table document;
  try {
    document = toml::parse(*text, file.string());
  } catch (const toml::parse_error& parse_error) {
    return fail("{}:{}:{}: {}", file.string(), parse_error.source().begin.line,
                parse_error.source().begin.column, parse_error.description());
  }
  if (auto* search = document["unqualified-search-registries"].as_array()) {
    config.unqualified_search.clear();
    for (const auto& entry : *search) {
      auto value = entry.value<std::string>();
      if (!value || !is_location(*value) || value->find('/') != std::string::npos)
        return fail("{}:{}:{}: unqualified-search-registries holds registry hosts, such as \"docker.io\"",
                    file.string(), entry.source().begin.line, entry.source().begin.column);
      config.unqualified_search.push_back(*value);
    }
  }
  if (auto* aliases = document["aliases"].as_table())
    for (const auto& [key, value] : *aliases)
      if (auto target = value.value<std::string>()) config.aliases[std::string(key.str())] = *target;
  if (auto* registries = document["registry"].as_array()) {
    for (const auto& node : *registries) {
      const auto* table = node.as_table();
      if (!table) continue;
      RegistriesConfig::Registry registry;
      registry.endpoint.location = (*table)["location"].value_or(std::string());
      registry.prefix = (*table)["prefix"].value_or(registry.endpoint.location);
      if (registry.endpoint.location.empty()) registry.endpoint.location = registry.prefix;
      registry.endpoint.insecure = (*table)["insecure"].value_or(false);
      registry.blocked = (*table)["blocked"].value_or(false);
      if (auto* mirrors = (*table)["mirror"].as_array())
        for (const auto& mirror_node : *mirrors)
          if (const auto* mirror = mirror_node.as_table()) {
            std::string location = (*mirror)["location"].value_or(std::string());
            if (!is_location(location))
              return fail("{}:{}:{}: a [[registry.mirror]] needs a location such as \"mirror.example:5000\"",
                          file.string(), mirror->source().begin.line, mirror->source().begin.column);
            registry.mirrors.push_back({location, (*mirror)["insecure"].value_or(false)});
          }
      if (registry.prefix.empty())
        return fail("{}: a [[registry]] has neither prefix nor location", file.string());
      if (!is_location(registry.endpoint.location))
        return fail("{}:{}:{}: the location of a [[registry]] must start with a host, such as \"registry.example\"",
                    file.string(), table->source().begin.line, table->source().begin.column);
      config.registries.push_back(std::move(registry));
    }
  }
  return {};
}

// "host/repo/path" split at the first '/': host and repository.
std::pair<std::string, std::string> split_location(const std::string& location,
                                                   const std::string& rest) {
  auto slash = location.find('/');
  if (slash == std::string::npos) return {location, rest};
  return {location.substr(0, slash), location.substr(slash + 1) + (rest.empty() ? "" : "/" + rest)};
}

std::string docker_hub_host(const std::string& host) {
  return host == "docker.io" ? "registry-1.docker.io" : host;
}

}  // namespace

Result<RegistriesConfig> load_registries_config(const std::filesystem::path& main_file,
                                                const std::filesystem::path& dropin_dir) {
  RegistriesConfig config;
  if (auto merged = merge_file(config, main_file); !merged) return std::unexpected(merged.error());
  std::error_code error;
  if (!std::filesystem::exists(dropin_dir, error)) return config;
  auto names = list_directory(dropin_dir);
  if (!names) return std::unexpected(names.error());
  std::sort(names->begin(), names->end());
  for (const auto& name : *names)
    if (name.ends_with(".conf") && name.size() > 5)
      if (auto merged = merge_file(config, dropin_dir / name); !merged) return std::unexpected(merged.error());
  return config;
}

Result<std::vector<PullSource>> pull_sources(const RegistriesConfig& config,
                                             const std::string& written,
                                             const ImageReference& ref) {
  // The candidate full names ("host/repository") before mirrors.
  std::vector<std::pair<std::string, std::string>> candidates;
  std::string bare = written.substr(0, written.find_first_of("@"));
  if (auto slash = bare.rfind('/'), colon = bare.rfind(':');
      colon != std::string::npos && (slash == std::string::npos || colon > slash))
    bare = bare.substr(0, colon);
  if (bare.starts_with("docker://")) bare = bare.substr(9);
  if (!ref.registry_given && config.aliases.contains(bare)) {
    auto alias = parse_image_reference(config.aliases.at(bare));
    if (!alias) return fail("registries.conf alias '{}': {}", bare, alias.error().message);
    if (alias->transport != ImageReference::Transport::kDocker)
      return fail("registries.conf alias '{}' must name a registry image, not '{}'", bare, config.aliases.at(bare));
    candidates.emplace_back(alias->registry, alias->repository);
  } else if (!ref.registry_given && !config.unqualified_search.empty()) {
    for (const auto& registry : config.unqualified_search) {
      std::string repository = bare;
      if (registry == "docker.io" && repository.find('/') == std::string::npos)
        repository = "library/" + repository;
      candidates.emplace_back(registry, repository);
    }
  } else {
    candidates.emplace_back(ref.registry, ref.repository);
  }

  std::vector<PullSource> sources;
  for (const auto& [registry, repository] : candidates) {
    std::string full = registry + "/" + repository;
    const RegistriesConfig::Registry* match = nullptr;
    for (const auto& entry : config.registries) {
      bool matches = full == entry.prefix || full.starts_with(entry.prefix + "/");
      if (matches && (!match || entry.prefix.size() > match->prefix.size())) match = &entry;
    }
    if (!match) {
      sources.push_back({docker_hub_host(registry), repository, false, full});
      continue;
    }
    if (match->blocked)
      return fail("registry '{}' is blocked in registries.conf", match->prefix);
    std::string rest = full.size() > match->prefix.size() ? full.substr(match->prefix.size() + 1) : "";
    // A location replaces the prefix; it must leave a repository to ask for.
    auto add = [&](const RegistriesConfig::Endpoint& endpoint) -> Status {
      auto [host, repo] = split_location(endpoint.location, rest);
      if (host.empty() || repo.empty())
        return fail("registries.conf: location '{}' for prefix '{}' leaves no repository for '{}'",
                    endpoint.location, match->prefix, full);
      sources.push_back({docker_hub_host(host), repo, endpoint.insecure, host + "/" + repo});
      return {};
    };
    for (const auto& mirror : match->mirrors)
      if (auto added = add(mirror); !added) return std::unexpected(added.error());
    if (auto added = add(match->endpoint); !added) return std::unexpected(added.error());
  }
  return sources;
}

}  // namespace ctapp
