// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/app_config_parser.h"

namespace ctapp {

// Every diagnostic of `text` (parsed as /etc/containers.d/app.ctapp),
// formatted. For tests only.
inline std::vector<std::string> errors_of(std::string_view text) {
  auto result = parse_app_text("app", "/etc/containers.d/app.ctapp", text);
  if (result) return {};
  std::vector<std::string> lines;
  for (const auto& diagnostic : result.error()) lines.push_back(diagnostic.format());
  return lines;
}

// `text` parsed as /etc/containers.d/app.ctapp; a test failure if it is not
// valid. For tests only.
inline AppConfig parse_valid(std::string_view text) {
  auto result = parse_app_text("app", "/etc/containers.d/app.ctapp", text);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().front().format());
  return result ? *result : AppConfig{};
}

}  // namespace ctapp
