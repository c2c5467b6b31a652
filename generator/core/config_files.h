// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/app_config_parser.h"
#include "core/diagnostic.h"
#include "core/result.h"

namespace ctapp {

// The apps found in the config directories, sorted by name.
struct AppDiscovery {
  std::vector<AppSource> apps;
  Diagnostics problems;  // unreadable directories; missing ones are not a problem
};

// Finds NAME.ctapp files in `dirs` (highest precedence first: for one NAME the
// first directory wins, as systemd does for units). A NAME.ctapp that is empty
// or a symlink to /dev/null masks the app. Drop-ins NAME.ctapp.d/*.conf are
// collected from every directory (for one drop-in file name the first
// directory wins) and ordered by file name.
// With kWhenRead, an empty regular file is not stat()ed here (one syscall
// less per app, for ctapp-generator): its AppSource has masked_if_empty and
// parse_app() says it is masked.
enum class EmptyFileCheck { kStat, kWhenRead };
AppDiscovery find_apps(const std::vector<std::filesystem::path>& dirs,
                       EmptyFileCheck empty_check = EmptyFileCheck::kStat);

// The one app called `name`, or nothing if there is no such file (or masked).
std::optional<AppSource> find_app(const std::vector<std::filesystem::path>& dirs,
                                  const std::string& name);

// The app defined by one file given on the command line (`ctapp check FILE`):
// NAME from the file name, drop-ins from FILE.d/ beside it. Fails if the file
// name does not end in ".ctapp".
Result<AppSource> app_source_for_file(const std::filesystem::path& file);

}  // namespace ctapp
