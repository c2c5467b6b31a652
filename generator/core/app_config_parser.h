// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/app_config.h"
#include "core/diagnostic.h"

namespace ctapp {

// The files that make up one app: NAME.ctapp and its NAME.ctapp.d/*.conf
// drop-ins, already ordered (drop-ins apply after the main file, in order).
struct AppSource {
  std::string name;
  std::filesystem::path main_file;
  std::vector<std::filesystem::path> dropins;
  // Set by find_apps(..., EmptyFileCheck::kWhenRead): main_file is a regular
  // file that masks the app if it is empty, which parse_app finds out.
  bool masked_if_empty = false;
};

using ParseResult = std::expected<AppConfig, Diagnostics>;

// Reads and validates one app. On failure returns every problem found, each
// located by file, line and column; an app with any problem is not usable.
// An empty list instead of problems: the app is masked (an empty main file of
// a source with masked_if_empty).
ParseResult parse_app(const AppSource& source);

// The same for text already in memory (as if read from `path`), no drop-ins.
ParseResult parse_app_text(std::string_view name, const std::filesystem::path& path,
                           std::string_view text);

}  // namespace ctapp
