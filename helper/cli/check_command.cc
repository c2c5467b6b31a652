// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/check_command.h"

#include <cstdio>

namespace ctapp {

int run_check_command(const GlobalOptions&, const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fprintf(stderr, "Usage: ctapp check FILE.ctapp...\n");
    return 2;
  }
  return 0;
}

}  // namespace ctapp
