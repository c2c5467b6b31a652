// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include "core/toml_library.h"

#include "core/app_config.h"
#include "core/diagnostic.h"
#include "core/toml_reader.h"

namespace ctapp {

// Reads the [health] table (check, interval, timeout, retries,
// start_period, on_failure) into HealthSettings; every problem becomes a
// located diagnostic and leaves the setting as it was. A drop-in's [health]
// changes only the keys it sets.
class HealthReader {
 public:
  HealthReader(TableReader& health, HealthSettings& settings) : health_(health), settings_(settings) {}

  void read();

 private:
  void read_check();
  void read_span(std::string_view key, std::chrono::milliseconds& field, bool zero_allowed);
  void read_on_failure();

  TableReader& health_;
  HealthSettings& settings_;
};

// The names of HealthOnFailure, as written in a .ctapp file and passed to
// the supervisor: "none", "kill", "restart".
std::string_view health_on_failure_name(HealthOnFailure action);

}  // namespace ctapp
