// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/device_keys_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/device_keys.h"

namespace ctapp {
namespace {

// Each string of the array `key` through `parse`; the whole list, or
// nothing when one entry is wrong.
template <typename T, typename Parse>
std::optional<std::vector<T>> read_list(TableReader& run, std::string_view key, Parse parse) {
  auto texts = run.strings(key);
  if (!texts) return std::nullopt;
  const toml::array& items = *run.find(key)->as_array();
  std::vector<T> parsed;
  bool ok = true;
  for (size_t i = 0; i < texts->size(); ++i) {
    auto value = parse((*texts)[i]);
    if (!value) {
      run.error(items[i], fmt::format("{}: {}", key, value.error().message));
      ok = false;
      continue;
    }
    parsed.push_back(std::move(*value));
  }
  if (!ok) return std::nullopt;
  return parsed;
}

}  // namespace

void read_device_keys(TableReader& run, RunSettings& settings) {
  if (auto devices = read_list<DeviceRequest>(run, "devices", parse_device_request)) {
    settings.devices = std::move(*devices);
  }
  if (auto credentials = read_list<CredentialSource>(run, "credentials", parse_credential_source)) {
    const toml::array& items = *run.find("credentials")->as_array();
    bool ok = true;
    for (size_t i = 0; i < credentials->size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if ((*credentials)[i].name == (*credentials)[j].name) {
          run.error(items[i], fmt::format("credentials: '{}' is given twice: each name holds one "
                                          "file",
                                          (*credentials)[i].name));
          ok = false;
        }
    if (ok) settings.credentials = std::move(*credentials);
  }
  if (auto as_secrets = run.boolean("credentials_as_secrets"))
    settings.credentials_as_secrets = *as_secrets;
}

}  // namespace ctapp
