// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/app_state.h"

#include <signal.h>
#include <string.h>

#include <cerrno>
#include <charconv>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "json/json_reader.h"

namespace ctapp {

Status write_app_state(const std::filesystem::path& file, const AppState& state) {
  nlohmann::json json = {
      {"version", state.version},     {"bundle", state.bundle.string()},
      {"runtime", state.runtime},     {"stop_signal", state.stop_signal},
      {"image", state.image},         {"image_digest", state.image_digest},
      {"keep_changes", state.keep_changes},
  };
  return write_file_atomic(file, dump_json(json, 2) + "\n", {.mode = 0644, .durable = false});
}

Result<std::optional<AppState>> read_app_state(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::exists(file, error)) return std::optional<AppState>();
  auto json = read_json_file(file, {.max_size = 1 << 20});
  if (!json) return std::unexpected(json.error());
  JsonView view(*json, "'" + file.string() + "'");
  if (auto object = view.expect_object(); !object) return std::unexpected(object.error());
  AppState state;
  std::optional<Error> wrong;
  auto get = [&](const char* key, std::string& field) {
    auto value = view.optional_string(key);
    if (!value) wrong = value.error();
    else field = value->value_or("");
  };
  std::string bundle;
  get("version", state.version);
  get("bundle", bundle);
  get("runtime", state.runtime);
  get("stop_signal", state.stop_signal);
  get("image", state.image);
  get("image_digest", state.image_digest);
  state.bundle = bundle;
  auto keep_changes = view.optional_boolean("keep_changes");
  if (!keep_changes) wrong = keep_changes.error();
  else state.keep_changes = keep_changes->value_or(false);
  if (wrong) return std::unexpected(*wrong);
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
