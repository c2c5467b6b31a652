// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/check_command.h"

#include <cstdio>

#include "core/app_config_parser.h"
#include "core/config_files.h"

namespace ctapp {

int run_check_command(const GlobalOptions&, const std::vector<std::string>& args) {
  if (args.empty() || args.front() == "--help") {
    std::fprintf(args.empty() ? stderr : stdout,
                 "Usage: ctapp check FILE.ctapp...\n"
                 "Validates each file (and its FILE.d/*.conf drop-ins); prints every error\n"
                 "as FILE:LINE:COLUMN: MESSAGE and exits 1 if there was any.\n");
    return args.empty() ? 2 : 0;
  }
  bool all_valid = true;
  for (const auto& file : args) {
    auto source = app_source_for_file(file);
    if (!source) {
      std::fprintf(stderr, "%s\n", one_line(source.error().message).c_str());
      all_valid = false;
      continue;
    }
    if (auto app = parse_app(*source); !app) {
      for (const auto& diagnostic : app.error())
        std::fprintf(stderr, "%s\n", one_line(diagnostic.format()).c_str());
      all_valid = false;
    }
  }
  return all_valid ? 0 : 1;
}

}  // namespace ctapp
