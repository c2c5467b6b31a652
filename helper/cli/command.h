// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <vector>

#include "core/paths.h"

namespace ctapp {

// Options that come before the subcommand: `ctapp [--root DIR] COMMAND ...`.
struct GlobalOptions {
  Paths paths;
};

// One subcommand. `args` are the words after the subcommand's name. Returns
// the process exit status; prints its own errors (once) to stderr.
struct Command {
  const char* name;
  const char* usage;    // the words after `ctapp NAME`, for --help
  const char* summary;
  int (*run)(const GlobalOptions& options, const std::vector<std::string>& args);
};

}  // namespace ctapp
