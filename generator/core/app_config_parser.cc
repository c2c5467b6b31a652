// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/app_config_parser.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <tuple>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/device_keys_reader.h"
#include "core/health_reader.h"
#include "core/image_reference.h"
#include "core/run_keys_reader.h"
#include "core/toml_reader.h"
#include "core/unit_file.h"
#include "core/value_checks.h"

namespace ctapp {
namespace {

constexpr size_t kMaxFileSize = 1 << 20;

struct KeySet {
  std::string_view table;
  std::vector<std::string_view> keys;
};

const std::vector<KeySet>& schema() {
  static const std::vector<KeySet> kSchema = {
      {"the top level",
       {"image", "rootfs", "run", "volume", "mount", "network", "service", "resources",
        "systemd", "platform", "health", "pull"}},
      {"[run]",
       {"command", "entrypoint", "env", "env_files", "user", "workdir", "hostname", "read_only",
        "keep_changes", "tmpfs", "stop_signal", "runtime", "seccomp_profile", "user_namespace",
        "uid_map", "gid_map", "init", "no_new_privileges", "cap_add", "cap_drop", "sysctl",
        "ulimits", "annotations", "shm_size", "devices", "credentials",
        "credentials_as_secrets"}},
      {"[[volume]]", {"target", "source", "read_only"}},
      {"[[mount]]", {"source", "target", "read_only"}},
      {"[network]", {"mode", "network", "publish"}},
      {"[service]",
       {"description", "notify", "ready", "ready_timeout", "restart", "restart_sec",
        "start_timeout", "stop_timeout", "pull_timeout", "wanted_by", "after", "requires",
        "reload", "auto_update"}},
      {"[resources]",
       {"memory_max", "memory_high", "memory_swap_max", "cpu_quota", "cpu_weight", "allowed_cpus",
        "io_weight", "tasks_max"}},
      {"[systemd]", {"Unit", "Service"}},
      {"[health]", {"check", "interval", "timeout", "retries", "start_period", "on_failure"}},
  };
  return kSchema;
}

const std::vector<std::string_view>& keys_of(std::string_view table) {
  for (const auto& set : schema())
    if (set.table == table) return set.keys;
  static const std::vector<std::string_view> kNone;
  return kNone;
}

// For a key unknown in one table but known in another: where it belongs.
TableReader::Hint hint_for(std::string_view current_table) {
  return [current_table](std::string_view key) -> std::string {
    for (const auto& set : schema()) {
      if (set.table == current_table || set.table == "the top level") continue;
      if (std::find(set.keys.begin(), set.keys.end(), key) != set.keys.end())
        return fmt::format("it belongs in {}", set.table);
    }
    return {};
  };
}

// Settings of the template unit that ctapp owns; overriding them breaks it.
constexpr std::array<std::string_view, 9> kManagedServiceKeys = {
    "Type", "ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop", "ExecStopPost",
    "NotifyAccess", "Delegate", "KillMode"};

// Applies one file's settings on top of `app`; values present here replace
// earlier ones, [[volume]] and [[mount]] entries are appended.
class AppFileReader {
 public:
  AppFileReader(AppConfig& app, Diagnostics& diagnostics) : app_(app), diagnostics_(diagnostics) {}

  void read(const toml::table& document) {
    TableReader top(document, "the top level", keys_of("the top level"), diagnostics_,
                    hint_for("the top level"));
    read_source(top);
    read_enum(top, "pull", app_.pull,
              {{"missing", PullPolicy::kMissing}, {"newer", PullPolicy::kNewer},
               {"always", PullPolicy::kAlways}, {"never", PullPolicy::kNever}});
    if (auto* run = top.table("run")) read_run(*run);
    read_table_array(top, "volume", [this](TableReader& t) { read_volume(t); });
    read_table_array(top, "mount", [this](TableReader& t) { read_mount(t); });
    if (auto* network = top.table("network")) read_network(*network);
    if (auto* service = top.table("service")) read_service(*service);
    if (auto* resources = top.table("resources")) read_resources(*resources);
    if (auto* systemd = top.table("systemd")) read_passthrough(*systemd);
    if (auto* health = top.table("health")) {
      TableReader reader(*health, "[health]", keys_of("[health]"), diagnostics_, hint_for("[health]"));
      HealthReader(reader, app_.health).read();
      health_node_ = top.find("health");
    }
  }

  // Where image= and rootfs= were set last, for the "both/neither" checks.
  const toml::node* image_node = nullptr;
  const toml::node* rootfs_node = nullptr;

 private:
  template <typename Check>
  void checked(TableReader& table, const toml::node& node, const std::string& value, Check check) {
    if (auto status = check(value); !status) table.error(node, status.error().message);
  }

  // Reads a string key, validates it, and stores it in `field`.
  template <typename Check>
  void read_checked_string(TableReader& table, std::string_view key, std::string& field,
                           Check check) {
    auto value = table.string(key);
    if (!value) return;
    if (auto status = check(*value); !status) {
      table.error(*table.find(key), status.error().message);
      return;
    }
    field = std::move(*value);
  }

  void read_source(TableReader& top) {
    if (auto image = top.string("image")) {
      if (auto parsed = parse_image_reference(*image); !parsed) {
        top.error(*top.find("image"), parsed.error().message);
      } else {
        app_.image = *image;
        app_.rootfs.clear();
        image_node = top.find("image");
      }
    }
    if (auto rootfs = top.string("rootfs")) {
      if (auto status = check_absolute_path(*rootfs); !status) {
        top.error(*top.find("rootfs"), fmt::format("rootfs: {}", status.error().message));
      } else {
        app_.rootfs = *rootfs;
        rootfs_node = top.find("rootfs");
        if (!image_node) app_.image.clear();
      }
    }
    if (top.find("platform")) {
      read_checked_string(top, "platform", app_.platform, check_platform);
      platform_node_ = top.find("platform");
    }
  }

  void read_table_array(TableReader& top, std::string_view key,
                        const std::function<void(TableReader&)>& read_entry) {
    const toml::array* entries = top.array(key);
    if (!entries) return;
    std::string table_name = fmt::format("[[{}]]", key);
    for (const toml::node& entry : *entries) {
      const toml::table* table = entry.as_table();
      if (!table) {
        top.error(entry, fmt::format("'{}' entries must be tables: write [[{}]] sections", key, key));
        continue;
      }
      TableReader reader(*table, table_name, keys_of(table_name), diagnostics_,
                         hint_for(table_name));
      current_entry_region_ = table->source();
      read_entry(reader);
    }
  }

  std::optional<std::string> absolute_path(TableReader& table, std::string_view key) {
    auto value = table.string(key);
    if (!value) return std::nullopt;
    if (auto status = check_absolute_path(*value); !status) {
      table.error(*table.find(key), fmt::format("{}: {}", key, status.error().message));
      return std::nullopt;
    }
    return value;
  }

  template <typename Enum>
  void read_enum(TableReader& table, std::string_view key, Enum& field,
                 std::initializer_list<std::pair<std::string_view, Enum>> choices) {
    auto value = table.string(key);
    if (!value) return;
    std::vector<std::string_view> names;
    for (const auto& [name, choice] : choices) {
      if (*value == name) {
        field = choice;
        return;
      }
      names.push_back(name);
    }
    std::string suggestion = closest_match(*value, names);
    table.error(*table.find(key),
                suggestion.empty()
                    ? fmt::format("'{}' is not a valid {}: use one of {}", *value, key,
                                  fmt::join(names, ", "))
                    : fmt::format("'{}' is not a valid {}, did you mean '{}'? (one of {})", *value,
                                  key, suggestion, fmt::join(names, ", ")));
  }

  void read_run(const toml::table& document) {
    TableReader run(document, "[run]", keys_of("[run]"), diagnostics_, hint_for("[run]"));
    RunSettings& settings = app_.run;
    if (auto command = run.strings("command")) settings.command = std::move(command);
    if (auto entrypoint = run.strings("entrypoint")) settings.entrypoint = std::move(entrypoint);
    if (const toml::table* env = run.table("env")) read_env(run, *env);
    read_checked_strings(run, "env_files", settings.env_files, check_absolute_path);
    read_checked_string(run, "user", settings.user, check_user);
    if (auto workdir = absolute_path(run, "workdir")) settings.workdir = std::move(*workdir);
    read_checked_string(run, "hostname", settings.hostname, check_hostname);
    if (auto read_only = run.boolean("read_only")) settings.read_only = *read_only;
    if (auto keep = run.boolean("keep_changes")) settings.keep_changes = *keep;
    read_checked_string(run, "stop_signal", settings.stop_signal, check_signal);
    read_enum(run, "runtime", settings.runtime, {{"runc", "runc"}, {"crun", "crun"}});
    read_checked_string(run, "seccomp_profile", settings.seccomp_profile, check_seccomp_profile);
    read_enum(run, "user_namespace", settings.user_namespace,
              {{"host", UserNamespaceMode::kHost}, {"auto", UserNamespaceMode::kAuto}});
    read_id_map(run, "uid_map", settings.uid_map);
    read_id_map(run, "gid_map", settings.gid_map);
    RunKeysReader container_keys(run, settings, diagnostics_);
    container_keys.read();
    if (container_keys.net_sysctl_node()) sysctl_net_node_ = container_keys.net_sysctl_node();
    read_device_keys(run, settings);
  }


  void read_env(TableReader& run, const toml::table& env) {
    for (auto&& [key, node] : env) {
      if (auto status = check_env_name(key.str()); !status) {
        Diagnostic diagnostic = located_at(key.source());
        diagnostic.message = fmt::format("env: {}", status.error().message);
        diagnostics_.push_back(std::move(diagnostic));
        continue;
      }
      auto value = node.value<std::string>();
      if (!node.is_string() || !value) {
        run.error(node, fmt::format("env value of '{}' must be a string, not {} (quote it)",
                                    key.str(), toml_type_name(node.type())));
        continue;
      }
      if (auto status = check_no_control_chars(*value); !status) {
        run.error(node, fmt::format("env value of '{}': {}", key.str(), status.error().message));
        continue;
      }
      auto existing = std::find_if(app_.run.env.begin(), app_.run.env.end(),
                                   [&](const auto& entry) { return entry.first == key.str(); });
      if (existing != app_.run.env.end()) {
        existing->second = *value;
      } else {
        app_.run.env.emplace_back(std::string(key.str()), *value);
      }
    }
  }

  void read_id_map(TableReader& run, std::string_view key, std::vector<IdMapping>& field) {
    auto entries = run.strings(key);
    if (!entries) return;
    const toml::array& items = *run.find(key)->as_array();
    std::vector<IdMapping> mappings;
    for (size_t i = 0; i < entries->size(); ++i) {
      auto mapping = parse_id_mapping((*entries)[i]);
      if (!mapping) {
        run.error(items[i], fmt::format("{}: {}", key, mapping.error().message));
        return;
      }
      mappings.push_back(*mapping);
    }
    field = std::move(mappings);
  }

  void read_volume(TableReader& table) {
    Volume volume;
    if (!table.find("target")) {
      diagnostics_.push_back(missing_key_at(table, "target", "the path inside the container"));
      return;
    }
    auto target = absolute_path(table, "target");
    if (!target) return;
    volume.target = std::move(*target);
    if (table.find("source")) {
      auto source = absolute_path(table, "source");
      if (!source) return;
      volume.source = std::move(*source);
    }
    if (auto read_only = table.boolean("read_only")) volume.read_only = *read_only;
    app_.volumes.push_back(std::move(volume));
  }

  void read_mount(TableReader& table) {
    BindMount mount;
    for (auto [key, what] : {std::pair{"source", "the path on the machine"},
                             std::pair{"target", "the path inside the container"}}) {
      if (!table.find(key)) {
        diagnostics_.push_back(missing_key_at(table, key, what));
        return;
      }
    }
    auto source = absolute_path(table, "source");
    auto target = absolute_path(table, "target");
    if (!source || !target) return;
    mount.source = std::move(*source);
    mount.target = std::move(*target);
    if (auto read_only = table.boolean("read_only")) mount.read_only = *read_only;
    app_.mounts.push_back(std::move(mount));
  }

  Diagnostic missing_key_at(TableReader& table, std::string_view key, std::string_view what) {
    Diagnostic diagnostic = located_at(current_entry_region_);
    diagnostic.message =
        fmt::format("{} entry needs '{}' ({})", table.table_name(), key, what);
    return diagnostic;
  }

  void read_network(const toml::table& document) {
    TableReader network(document, "[network]", keys_of("[network]"), diagnostics_,
                        hint_for("[network]"));
    if (auto mode = network.string("mode"); mode && mode->starts_with("app:")) {
      std::string other = mode->substr(4);
      if (auto status = check_app_name(other); !status) {
        network.error(*network.find("mode"),
                      fmt::format("mode 'app:{}': {}", other, status.error().message));
      } else if (other == app_.name) {
        network.error(*network.find("mode"),
                      fmt::format("mode 'app:{}' names this app itself: name the app whose "
                                  "network it joins",
                                  other));
      } else {
        app_.network.mode = NetworkMode::kApp;
        app_.network.app = std::move(other);
      }
    } else {
      read_enum(network, "mode", app_.network.mode,
                {{"host", NetworkMode::kHost}, {"none", NetworkMode::kNone},
                 {"bridge", NetworkMode::kBridge}, {"app:OTHER", NetworkMode::kApp}});
    }
    mode_node_ = network.find("mode");
    if (auto name = network.string("network")) {
      if (auto status = check_app_name(*name); !status) {
        network.error(*network.find("network"),
                      fmt::format("'{}' is not a CNI network name (letters, digits, '_', '.', '-')",
                                  *name));
      } else {
        app_.network.network = std::move(*name);
      }
    }
    if (auto publish = network.strings("publish")) {
      const toml::array& items = *network.find("publish")->as_array();
      app_.network.publish.clear();
      for (size_t i = 0; i < publish->size(); ++i) {
        auto port = parse_published_port((*publish)[i]);
        if (!port) {
          network.error(items[i], fmt::format("publish: {}", port.error().message));
          continue;
        }
        app_.network.publish.push_back(*port);
      }
      publish_node_ = network.find("publish");
    }
  }

  void read_service(const toml::table& document) {
    TableReader service(document, "[service]", keys_of("[service]"), diagnostics_,
                        hint_for("[service]"));
    ServiceSettings& settings = app_.service;
    read_checked_string(service, "description", settings.description, check_unit_value);
    read_enum(service, "notify", settings.notify,
              {{"started", NotifyMode::kStarted}, {"container", NotifyMode::kContainer},
               {"healthy", NotifyMode::kHealthy}});
    read_ready(service);
    read_reload(service);
    if (auto auto_update = service.boolean("auto_update")) settings.auto_update = *auto_update;
    read_time_span(service, "ready_timeout", settings.ready_timeout);
    read_checked_string(service, "restart", settings.restart, check_restart);
    read_time_span(service, "restart_sec", settings.restart_sec);
    read_time_span(service, "start_timeout", settings.start_timeout);
    read_time_span(service, "pull_timeout", settings.pull_timeout);
    read_time_span(service, "stop_timeout", settings.stop_timeout);
    read_checked_strings(service, "wanted_by", settings.wanted_by, check_unit_name);
    read_checked_strings(service, "after", settings.after, check_app_or_unit);
    read_checked_strings(service, "requires", settings.requires_apps, check_app_or_unit);
  }

  static Status check_seccomp_profile(std::string_view value) {
    if (value == "unconfined" || check_absolute_path(value)) return {};
    return fail("seccomp_profile '{}' must be an absolute path to a profile in Docker's format, "
                "or \"unconfined\"",
                value);
  }

  static Status check_app_or_unit(std::string_view name) {
    if (has_unit_suffix(name) && check_unit_name(name)) return {};
    if (check_app_name(name)) return {};
    return fail("'{}' is neither an app name (NAME of NAME.ctapp) nor a unit name such as "
                "'postgresql.service'",
                name);
  }

  void read_ready(TableReader& service) {
    const toml::node* node = service.find("ready");
    if (!node) return;
    if (node->is_string()) {
      auto text = service.string("ready");
      if (!text) return;
      auto probe = parse_tcp_probe(*text);
      if (!probe) {
        service.error(*node, probe.error().message);
        return;
      }
      app_.service.ready = *probe;
    } else if (node->is_array()) {
      auto argv = service.strings("ready");
      if (!argv) return;
      if (argv->empty()) {
        service.error(*node, "ready: the probe command is empty");
        return;
      }
      app_.service.ready = ExecProbe{std::move(*argv)};
    } else {
      service.error(*node, fmt::format("'ready' must be 'tcp:PORT' or a command as an array of "
                                       "strings, not {}",
                                       toml_type_name(node->type())));
      return;
    }
    ready_node_ = node;
  }

  void read_reload(TableReader& service) {
    const toml::node* node = service.find("reload");
    if (!node) return;
    if (node->is_string()) {
      auto text = service.string("reload");
      if (!text) return;
      std::string_view signal = *text;
      if (!signal.starts_with("signal:")) {
        service.error(*node, fmt::format("reload '{}' is not 'signal:NAME': write "
                                         "reload = \"signal:SIGHUP\", or a command as an array "
                                         "of strings",
                                         *text));
        return;
      }
      signal.remove_prefix(7);
      if (auto status = check_signal(signal); !status) {
        service.error(*node, fmt::format("reload: {}", status.error().message));
        return;
      }
      app_.service.reload = ReloadSignal{std::string(signal)};
    } else if (node->is_array()) {
      auto argv = service.strings("reload");
      if (!argv) return;
      if (argv->empty()) {
        service.error(*node, "reload: the command is empty");
        return;
      }
      app_.service.reload = ReloadCommand{std::move(*argv)};
    } else {
      service.error(*node, fmt::format("'reload' must be 'signal:NAME' or a command as an array "
                                       "of strings, not {}",
                                       toml_type_name(node->type())));
      return;
    }
    reload_node_ = node;
  }

  void read_time_span(TableReader& table, std::string_view key, std::string& field) {
    const toml::node* node = table.find(key);
    if (node && node->is_integer()) {
      int64_t seconds = *node->value<int64_t>();
      if (seconds < 0) {
        table.error(*node, fmt::format("'{}' must not be negative", key));
        return;
      }
      field = fmt::format("{}s", seconds);
      return;
    }
    read_checked_string(table, key, field, check_time_span);
  }

  template <typename Check>
  void read_checked_strings(TableReader& table, std::string_view key,
                            std::vector<std::string>& field, Check check) {
    auto names = table.strings(key);
    if (!names) return;
    const toml::array& items = *table.find(key)->as_array();
    bool ok = true;
    for (size_t i = 0; i < names->size(); ++i) {
      if (auto status = check((*names)[i]); !status) {
        table.error(items[i], fmt::format("{}: {}", key, status.error().message));
        ok = false;
      }
    }
    if (ok) field = std::move(*names);
  }

  void read_resources(const toml::table& document) {
    TableReader resources(document, "[resources]", keys_of("[resources]"), diagnostics_,
                          hint_for("[resources]"));
    ResourceSettings& settings = app_.resources;
    read_size(resources, "memory_max", settings.memory_max);
    read_size(resources, "memory_high", settings.memory_high);
    read_size(resources, "memory_swap_max", settings.memory_swap_max);
    read_checked_string(resources, "cpu_quota", settings.cpu_quota, check_cpu_quota);
    read_weight(resources, "cpu_weight", settings.cpu_weight);
    read_checked_string(resources, "allowed_cpus", settings.allowed_cpus, check_cpu_list);
    read_weight(resources, "io_weight", settings.io_weight);
    const toml::node* tasks = resources.find("tasks_max");
    if (tasks && tasks->is_integer()) {
      if (*tasks->value<int64_t>() < 1) {
        resources.error(*tasks, "tasks_max must be at least 1");
      } else {
        settings.tasks_max = std::to_string(*tasks->value<int64_t>());
      }
    } else {
      read_checked_string(resources, "tasks_max", settings.tasks_max, check_tasks_max);
    }
  }

  // CPUWeight= and IOWeight=: 1 to 10000, default 100.
  void read_weight(TableReader& table, std::string_view key, std::optional<uint32_t>& field) {
    auto weight = table.integer(key);
    if (!weight) return;
    if (*weight < 1 || *weight > 10000) {
      table.error(*table.find(key),
                  fmt::format("{} {} is out of range: use 1 to 10000 (default 100)", key, *weight));
      return;
    }
    field = static_cast<uint32_t>(*weight);
  }

  void read_size(TableReader& table, std::string_view key, std::string& field) {
    const toml::node* node = table.find(key);
    if (node && node->is_integer()) {
      if (*node->value<int64_t>() < 0) {
        table.error(*node, fmt::format("'{}' must not be negative", key));
        return;
      }
      field = std::to_string(*node->value<int64_t>());
      return;
    }
    read_checked_string(table, key, field, check_size);
  }

  void read_passthrough(const toml::table& document) {
    TableReader systemd(document, "[systemd]", keys_of("[systemd]"), diagnostics_);
    for (std::string_view section : {"Unit", "Service"}) {
      const toml::table* table = systemd.table(section);
      if (!table) continue;
      for (auto&& [key, node] : *table) read_passthrough_entry(systemd, section, key, node);
    }
  }

  void read_passthrough_entry(TableReader& systemd, std::string_view section, const toml::key& key,
                              const toml::node& node) {
    auto report = [&](const toml::source_region& where, std::string message) {
      Diagnostic diagnostic = located_at(where);
      diagnostic.message = std::move(message);
      diagnostics_.push_back(std::move(diagnostic));
    };
    if (auto status = check_systemd_key(key.str()); !status) {
      report(key.source(), fmt::format("[systemd.{}]: {}", section, status.error().message));
      return;
    }
    if (section == "Service" && std::find(kManagedServiceKeys.begin(), kManagedServiceKeys.end(),
                                          key.str()) != kManagedServiceKeys.end()) {
      report(key.source(),
             fmt::format("[systemd.Service] {} is set by ctapp's template unit and cannot be "
                         "overridden; use [run] and [service] keys instead",
                         key.str()));
      return;
    }
    std::vector<std::string> values;
    auto add_value = [&](const toml::node& value) {
      std::string text;
      if (auto s = value.value<std::string>(); value.is_string() && s) {
        text = *s;
      } else if (value.is_integer()) {
        text = std::to_string(*value.value<int64_t>());
      } else if (value.is_boolean()) {
        text = *value.value<bool>() ? "yes" : "no";
      } else {
        systemd.error(value, fmt::format("[systemd.{}] {}: use a string, integer or boolean, "
                                         "or an array of them, not {}",
                                         section, key.str(), toml_type_name(value.type())));
        return false;
      }
      if (auto status = check_unit_value(text); !status) {
        systemd.error(value, fmt::format("[systemd.{}] {}: {}", section, key.str(),
                                         status.error().message));
        return false;
      }
      values.push_back(std::move(text));
      return true;
    };
    if (const toml::array* items = node.as_array()) {
      for (const toml::node& item : *items)
        if (!add_value(item)) return;
    } else if (!add_value(node)) {
      return;
    }
    auto& sections = app_.systemd.sections;
    auto it = std::find_if(sections.begin(), sections.end(),
                           [&](const auto& entry) { return entry.first == section; });
    if (it == sections.end()) it = sections.insert(sections.end(), {std::string(section), {}});
    for (auto& value : values) it->second.emplace_back(std::string(key.str()), std::move(value));
  }

 public:
  // Cross-key checks that need the whole file; run after every file applied.
  void check_consistency(const Diagnostic& file_level) {
    auto at = [&](const toml::node* node, std::string message) {
      Diagnostic diagnostic = node ? located_at(node->source()) : file_level;
      diagnostic.message = std::move(message);
      diagnostics_.push_back(std::move(diagnostic));
    };
    if (app_.image.empty() && app_.rootfs.empty())
      at(nullptr, "no image: set 'image = \"REGISTRY/NAME:TAG\"' or 'rootfs = \"/path\"'");
    if (!app_.image.empty() && !app_.rootfs.empty())
      at(rootfs_node, "both 'image' and 'rootfs' are set: keep only one");
    if (platform_node_ && app_.image.empty())
      at(platform_node_, "platform chooses which image to pull: it needs 'image', not 'rootfs'");
    if (!app_.network.publish.empty() && app_.network.mode == NetworkMode::kApp)
      at(publish_node_, fmt::format("publish is refused with [network] mode \"app:{0}\": the app "
                                    "shares the network of app '{0}', so its ports are published "
                                    "by '{0}'; move them to publish of {0}.ctapp",
                                    app_.network.app));
    else if (!app_.network.publish.empty() && app_.network.mode != NetworkMode::kBridge)
      at(publish_node_, "publish needs [network] mode = \"bridge\"; with mode host the app's "
                        "ports are the machine's own, with none there is no network");
    if (app_.network.mode == NetworkMode::kApp && !app_.network.network.empty())
      at(mode_node_, fmt::format("[network] network = '{}' names a CNI network, but mode "
                                 "\"app:{}\" joins that app's network: remove network",
                                 app_.network.network, app_.network.app));
    if (sysctl_net_node_ && app_.network.mode == NetworkMode::kApp)
      at(sysctl_net_node_, fmt::format("net.* sysctls of an app in [network] mode \"app:{0}\" "
                                       "would change the network of app '{0}': set them in "
                                       "{0}.ctapp",
                                       app_.network.app));
    if (sysctl_net_node_ && app_.network.mode == NetworkMode::kHost)
      at(sysctl_net_node_, "net.* sysctls need a network of the app's own: with [network] mode "
                           "host they would change the machine's; set mode = \"none\" or "
                           "\"bridge\", or use sysctl.d(5) on the host");
    bool has_probe = !std::holds_alternative<std::monostate>(app_.service.ready);
    if (app_.service.notify == NotifyMode::kHealthy && !has_probe)
      at(nullptr, "[service] notify = \"healthy\" needs a probe: add ready = \"tcp:PORT\" or "
                  "ready = [\"command\", \"arg\"]");
    if (has_probe && app_.service.notify != NotifyMode::kHealthy)
      at(ready_node_, "[service] ready is only used with notify = \"healthy\": add that, or "
                      "remove ready");
    bool passthrough_reload = std::any_of(
        app_.systemd.sections.begin(), app_.systemd.sections.end(), [](const auto& section) {
          return section.first == "Service" &&
                 std::any_of(section.second.begin(), section.second.end(),
                             [](const auto& entry) { return entry.first == "ExecReload"; });
        });
    if (health_node_ && std::holds_alternative<std::monostate>(app_.health.check))
      at(health_node_, "[health] needs a check: add check = \"tcp:PORT\" or "
                       "check = [\"command\", \"arg\"]");
    if (reload_node_ && passthrough_reload)
      at(reload_node_, "[service] reload and [systemd.Service] ExecReload are both set: keep "
                       "only one");
    std::vector<std::string_view> targets;
    for (const auto& volume : app_.volumes) targets.push_back(volume.target);
    for (const auto& mount : app_.mounts) targets.push_back(mount.target);
    std::sort(targets.begin(), targets.end());
    if (auto dup = std::adjacent_find(targets.begin(), targets.end()); dup != targets.end())
      at(nullptr, fmt::format("two volumes or mounts have the same target '{}'", *dup));
  }

 private:
  AppConfig& app_;
  Diagnostics& diagnostics_;
  toml::source_region current_entry_region_;
  const toml::node* publish_node_ = nullptr;
  const toml::node* platform_node_ = nullptr;
  const toml::node* mode_node_ = nullptr;
  const toml::node* ready_node_ = nullptr;
  const toml::node* reload_node_ = nullptr;
  const toml::node* sysctl_net_node_ = nullptr;
  const toml::node* health_node_ = nullptr;
};

}  // namespace

namespace {

// Parses `text` into a document kept alive by the caller; syntax errors become
// diagnostics.
std::optional<toml::table> parse_document(const std::filesystem::path& path, std::string_view text,
                                          Diagnostics& diagnostics) {
  try {
    return toml::parse(text, path.string());
  } catch (const toml::parse_error& error) {
    Diagnostic diagnostic = located_at(error.source());
    if (diagnostic.path.empty()) diagnostic.path = path;
    diagnostic.message = fmt::format("TOML syntax error: {}", error.description());
    diagnostics.push_back(std::move(diagnostic));
    return std::nullopt;
  }
}

ParseResult parse_files(std::string_view name, const std::filesystem::path& main_path,
                        const std::vector<std::pair<std::filesystem::path, std::string>>& files) {
  Diagnostics diagnostics;
  AppConfig app;
  app.name = std::string(name);
  app.source_path = main_path;
  if (auto status = check_app_name(name); !status)
    diagnostics.push_back({main_path, 0, 0, status.error().message});
  // Documents must outlive the reader: it keeps pointers to nodes for the
  // cross-key checks at the end.
  std::vector<toml::table> documents;
  documents.reserve(files.size());
  AppFileReader reader(app, diagnostics);
  for (const auto& [path, text] : files) {
    auto document = parse_document(path, text, diagnostics);
    if (!document) continue;
    documents.push_back(std::move(*document));
    reader.read(documents.back());
  }
  if (diagnostics.empty()) reader.check_consistency({main_path, 0, 0, {}});
  if (!diagnostics.empty()) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const auto& a, const auto& b) {
      return std::tie(a.path, a.line, a.column) < std::tie(b.path, b.line, b.column);
    });
    return std::unexpected(std::move(diagnostics));
  }
  return app;
}

}  // namespace

ParseResult parse_app(const AppSource& source) {
  std::vector<std::pair<std::filesystem::path, std::string>> files;
  Diagnostics diagnostics;
  auto read = [&](const std::filesystem::path& path) {
    auto text = read_file(path, kMaxFileSize);
    if (!text) {
      diagnostics.push_back({path, 0, 0, text.error().message});
      return;
    }
    files.emplace_back(path, std::move(*text));
  };
  read(source.main_file);
  if (source.masked_if_empty && !files.empty() && files.front().second.empty())
    return std::unexpected(Diagnostics{});
  for (const auto& dropin : source.dropins) read(dropin);
  if (!diagnostics.empty()) return std::unexpected(std::move(diagnostics));
  return parse_files(source.name, source.main_file, files);
}

ParseResult parse_app_text(std::string_view name, const std::filesystem::path& path,
                           std::string_view text) {
  return parse_files(name, path, {{path, std::string(text)}});
}

}  // namespace ctapp
