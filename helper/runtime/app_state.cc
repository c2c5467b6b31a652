// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/app_state.h"

#include <signal.h>
#include <string.h>

#include <cerrno>
#include <charconv>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"

namespace ctapp {

Status write_app_state(const std::filesystem::path& file, const AppState& state) {
  nlohmann::json json = {
      {"version", state.version},     {"bundle", state.bundle.string()},
      {"runtime", state.runtime},     {"stop_signal", state.stop_signal},
      {"image", state.image},         {"image_digest", state.image_digest},
      {"keep_changes", state.keep_changes},
  };
  return write_file_atomic(file, json.dump(2) + "\n", {.mode = 0644, .durable = false});
}

Result<std::optional<AppState>> read_app_state(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::exists(file, error)) return std::optional<AppState>();
  auto text = read_file(file, 1 << 20);
  if (!text) return std::unexpected(text.error());
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return fail("'{}' is not valid JSON", file.string());
  AppState state;
  auto get = [&](const char* key, std::string& field) {
    if (json.contains(key) && json[key].is_string()) field = json[key].get<std::string>();
  };
  std::string bundle;
  get("version", state.version);
  get("bundle", bundle);
  get("runtime", state.runtime);
  get("stop_signal", state.stop_signal);
  get("image", state.image);
  get("image_digest", state.image_digest);
  state.bundle = bundle;
  if (json.contains("keep_changes") && json["keep_changes"].is_boolean())
    state.keep_changes = json["keep_changes"].get<bool>();
  return std::optional<AppState>(state);
}

Result<int> signal_number(const std::string& name) {
  int number = 0;
  auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), number);
  if (error == std::errc() && end == name.data() + name.size() && number > 0 && number < NSIG)
    return number;
  std::string bare = name.starts_with("SIG") ? name.substr(3) : name;
  for (int signal = 1; signal < NSIG; ++signal) {
    const char* abbrev = ::sigabbrev_np(signal);
    if (abbrev && bare == abbrev) return signal;
  }
  int offset = 0;
  if ((bare.starts_with("RTMIN+") || bare.starts_with("RTMAX-")) &&
      std::from_chars(bare.data() + 6, bare.data() + bare.size(), offset).ec == std::errc() &&
      offset >= 0 && offset <= SIGRTMAX - SIGRTMIN)
    return bare[5] == '+' ? SIGRTMIN + offset : SIGRTMAX - offset;
  return fail("'{}' is not a signal name", name);
}

}  // namespace ctapp
