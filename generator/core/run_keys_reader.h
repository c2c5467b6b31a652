// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include "core/toml_library.h"

#include "core/app_config.h"
#include "core/diagnostic.h"
#include "core/toml_reader.h"

namespace ctapp {

// Reads the [run] keys that shape the container's config.json (init,
// no_new_privileges, cap_add, cap_drop, sysctl, ulimits, annotations,
// shm_size, tmpfs) into RunSettings; every problem becomes a located
// diagnostic and leaves the setting as it was.
class RunKeysReader {
 public:
  RunKeysReader(TableReader& run, RunSettings& settings, Diagnostics& diagnostics)
      : run_(run), settings_(settings), diagnostics_(diagnostics) {}

  void read();

  // The value of a net.* sysctl, if one was set: those need a network
  // namespace of the app's own, which only the whole file can tell.
  const toml::node* net_sysctl_node() const { return net_sysctl_node_; }

 private:
  void key_error(const toml::key& key, std::string message);
  std::optional<std::string> scalar_text(TableReader& table, const toml::node& node,
                                         std::string_view what);
  void read_capabilities(TableReader& run, std::string_view key, std::vector<std::string>& field);
  template <typename ReadPair>
  void read_string_table(TableReader& run, std::string_view key,
                         std::vector<std::pair<std::string, std::string>>& field,
                         ReadPair read_pair);
  void read_sysctl(TableReader& run);
  void read_ulimits(TableReader& run);
  void read_annotations(TableReader& run);
  void read_tmpfs_size(TableReader& table, std::string_view key, std::string& field);
  void read_tmpfs(TableReader& run);

  TableReader& run_;
  RunSettings& settings_;
  Diagnostics& diagnostics_;
  const toml::node* net_sysctl_node_ = nullptr;
};

}  // namespace ctapp
