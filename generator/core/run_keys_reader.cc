// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/run_keys_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/run_keys.h"
#include "core/value_checks.h"

namespace ctapp {

void RunKeysReader::read() {
  RunSettings& settings = settings_;
  if (auto init = run_.boolean("init")) settings.init = *init;
  if (auto no_new = run_.boolean("no_new_privileges")) settings.no_new_privileges = *no_new;
  read_capabilities(run_, "cap_add", settings.cap_add);
  read_capabilities(run_, "cap_drop", settings.cap_drop);
  read_sysctl(run_);
  read_ulimits(run_);
  read_annotations(run_);
  read_tmpfs_size(run_, "shm_size", settings.shm_size);
  read_tmpfs(run_);
}

// Reports `message` at a key of an inline table (where a value check of
// the key itself failed).
void RunKeysReader::key_error(const toml::key& key, std::string message) {
  Diagnostic diagnostic = located_at(key.source());
  diagnostic.message = std::move(message);
  diagnostics_.push_back(std::move(diagnostic));
}

// A string, or an integer written as its decimal text; else a located
// error saying which types `what` takes.
std::optional<std::string> RunKeysReader::scalar_text(TableReader& table, const toml::node& node,
                                                      std::string_view what) {
  if (auto text = node.value<std::string>(); node.is_string() && text) {
    if (auto status = check_no_control_chars(*text); !status) {
      table.error(node, fmt::format("{}: {}", what, status.error().message));
      return std::nullopt;
    }
    return text;
  }
  if (node.is_integer()) return std::to_string(*node.value<int64_t>());
  table.error(node, fmt::format("{} must be a string or an integer, not {}", what,
                                toml_type_name(node.type())));
  return std::nullopt;
}

void RunKeysReader::read_capabilities(TableReader& run, std::string_view key,
                                      std::vector<std::string>& field) {
  auto names = run.strings(key);
  if (!names) return;
  const toml::array& items = *run.find(key)->as_array();
  std::vector<std::string> capabilities;
  for (size_t i = 0; i < names->size(); ++i) {
    auto capability = parse_capability((*names)[i]);
    if (!capability) {
      run.error(items[i], fmt::format("{}: {}", key, capability.error().message));
      return;
    }
    capabilities.push_back(std::move(*capability));
  }
  field = std::move(capabilities);
}

// NAME = VALUE pairs of an inline table, checked by `read_pair`, which
// returns the value to store; replaced by name when a drop-in repeats one.
template <typename ReadPair>
void RunKeysReader::read_string_table(TableReader& run, std::string_view key,
                                      std::vector<std::pair<std::string, std::string>>& field,
                                      ReadPair read_pair) {
  const toml::table* table = run.table(key);
  if (!table) return;
  for (auto&& [name, node] : *table) {
    auto value = read_pair(name, node);
    if (!value) continue;
    auto existing = std::find_if(field.begin(), field.end(),
                                 [&](const auto& entry) { return entry.first == name.str(); });
    if (existing != field.end()) {
      existing->second = std::move(*value);
    } else {
      field.emplace_back(std::string(name.str()), std::move(*value));
    }
  }
  std::sort(field.begin(), field.end());
}

void RunKeysReader::read_sysctl(TableReader& run) {
  read_string_table(
      run, "sysctl", settings_.sysctl,
      [&](const toml::key& name, const toml::node& node) -> std::optional<std::string> {
        if (auto status = check_sysctl_name(name.str()); !status) {
          key_error(name, status.error().message);
          return std::nullopt;
        }
        auto value = scalar_text(run, node, fmt::format("sysctl {}", name.str()));
        if (!value) return std::nullopt;
        if (auto status = check_sysctl_value(*value); !status) {
          run.error(node, fmt::format("sysctl {}: {}", name.str(), status.error().message));
          return std::nullopt;
        }
        if (name.str().starts_with("net.")) net_sysctl_node_ = &node;
        return value;
      });
}

void RunKeysReader::read_ulimits(TableReader& run) {
  const toml::table* table = run.table("ulimits");
  if (!table) return;
  for (auto&& [name, node] : *table) {
    if (auto type = rlimit_type(name.str()); !type) {
      key_error(name, fmt::format("ulimits: {}", type.error().message));
      continue;
    }
    if (node.is_integer() && *node.value<int64_t>() < 0) {
      run.error(node, fmt::format("ulimits {}: a limit must not be negative", name.str()));
      continue;
    }
    auto value = scalar_text(run, node, fmt::format("ulimits {}", name.str()));
    if (!value) continue;
    auto limit = parse_ulimit(name.str(), *value);
    if (!limit) {
      run.error(node, limit.error().message);
      continue;
    }
    auto& limits = settings_.ulimits;
    std::erase_if(limits, [&](const Rlimit& entry) { return entry.type == limit->type; });
    limits.push_back(std::move(*limit));
  }
  std::sort(settings_.ulimits.begin(), settings_.ulimits.end(),
            [](const Rlimit& a, const Rlimit& b) { return a.type < b.type; });
}

void RunKeysReader::read_annotations(TableReader& run) {
  read_string_table(
      run, "annotations", settings_.annotations,
      [&](const toml::key& name, const toml::node& node) -> std::optional<std::string> {
        if (auto status = check_annotation_key(name.str()); !status) {
          key_error(name, fmt::format("annotations: {}", status.error().message));
          return std::nullopt;
        }
        auto value = node.value<std::string>();
        if (!node.is_string() || !value) {
          run.error(node, fmt::format("annotation '{}' must be a string, not {} "
                                      "(quote it)",
                                      name.str(), toml_type_name(node.type())));
          return std::nullopt;
        }
        if (auto status = check_no_control_chars(*value); !status) {
          run.error(node, fmt::format("annotation '{}': {}", name.str(), status.error().message));
          return std::nullopt;
        }
        return value;
      });
}

// A size for a tmpfs: "64M" or a number of bytes.
void RunKeysReader::read_tmpfs_size(TableReader& table, std::string_view key, std::string& field) {
  const toml::node* node = table.find(key);
  if (!node) return;
  auto text = scalar_text(table, *node, key);
  if (!text) return;
  if (auto status = check_tmpfs_size(*text); !status) {
    table.error(*node, fmt::format("{}: {}", key, status.error().message));
    return;
  }
  field = std::move(*text);
}

// tmpfs = ["/tmp", { path = "/cache", size = "64M", mode = "0700" }]
void RunKeysReader::read_tmpfs(TableReader& run) {
  const toml::array* items = run.array("tmpfs");
  if (!items) return;
  std::vector<TmpfsMount> mounts;
  bool ok = true;
  for (const toml::node& item : *items) {
    TmpfsMount mount;
    if (auto text = item.value<std::string>(); item.is_string() && text) {
      if (auto status = check_no_control_chars(*text); !status) {
        run.error(item, fmt::format("tmpfs: {}", status.error().message));
        ok = false;
        continue;
      }
      mount.target = *text;
    } else if (const toml::table* table = item.as_table()) {
      TableReader entry(*table, "a tmpfs entry", {"path", "size", "mode"}, diagnostics_);
      auto path = entry.string("path");
      if (!path) {
        if (!table->contains("path"))
          entry.error(item, "a tmpfs entry needs 'path' (where to mount it)");
        ok = false;
        continue;
      }
      mount.target = *path;
      read_tmpfs_size(entry, "size", mount.size);
      if (auto mode = entry.string("mode")) {
        if (auto status = check_tmpfs_mode(*mode); !status) {
          entry.error(*entry.find("mode"), fmt::format("tmpfs mode: {}", status.error().message));
          ok = false;
        } else {
          mount.mode = *mode;
        }
      }
    } else {
      run.error(item, fmt::format("tmpfs entries must be paths or tables such as "
                                  "{{ path = \"/cache\", size = \"64M\", mode = \"1777\" }}, "
                                  "not {}",
                                  toml_type_name(item.type())));
      ok = false;
      continue;
    }
    if (auto status = check_absolute_path(mount.target); !status) {
      run.error(item, fmt::format("tmpfs: {}", status.error().message));
      ok = false;
      continue;
    }
    mounts.push_back(std::move(mount));
  }
  if (ok) settings_.tmpfs = std::move(mounts);
}

}  // namespace ctapp
