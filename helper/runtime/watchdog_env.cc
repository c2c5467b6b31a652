// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/watchdog_env.h"

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "json/json_reader.h"

namespace ctapp {

Status pass_watchdog_to_container(const std::filesystem::path& config_json, std::string_view usec) {
  if (usec.empty() || !std::all_of(usec.begin(), usec.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return fail("WATCHDOG_USEC '{}' is not a number of microseconds", one_line(usec));
  auto parsed = read_json_file(config_json, {.max_size = 16 << 20});
  if (!parsed) return std::unexpected(parsed.error());
  auto& config = *parsed;
  if (!config.is_object() || !config.contains("process") || !config["process"].is_object())
    return fail("'{}' is not a runtime config with a process", config_json.string());
  auto& process = config["process"];
  if (!process.contains("env")) process["env"] = nlohmann::json::array();
  auto& env = process["env"];
  if (!env.is_array()) return fail("'{}': process.env is not an array", config_json.string());
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& entry : env)
    if (!entry.is_string() || !entry.get_ref<const std::string&>().starts_with("WATCHDOG_"))
      kept.push_back(entry);
  kept.push_back("WATCHDOG_USEC=" + std::string(usec));
  env = std::move(kept);
  return write_file_atomic(config_json, dump_json(config, 2) + "\n", {.mode = 0600});
}

}  // namespace ctapp
