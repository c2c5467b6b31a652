// SPDX-License-Identifier: LGPL-2.1-or-later
// ctapp-generator: turns /etc/containers.d/*.ctapp into ctapp@NAME.service
// drop-ins at boot and on daemon-reload. See ctapp-generator(8).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/result.h"
#include "generator.h"

namespace {

int run_main(int argc, char** argv) {
  ctapp::GeneratorOptions options;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--dry-run") {
      options.dry_run = true;
    } else if (arg == "-h" || arg == "--help") {
      std::printf("Usage: ctapp-generator [--dry-run] NORMAL_DIR [EARLY_DIR LATE_DIR]\n");
      return 0;
    } else {
      dirs.push_back(arg);
    }
  }
  ctapp::GeneratorLog log;
  if (!options.dry_run && dirs.size() != 1 && dirs.size() != 3) {
    log.write(ctapp::Priority::kErr,
              "usage: ctapp-generator [--dry-run] NORMAL_DIR [EARLY_DIR LATE_DIR]");
    return 2;
  }
  if (!dirs.empty()) options.output_dir = dirs.front();
  options.paths = ctapp::Paths::from_environment();
  options.template_unit = std::string(CTAPP_UNIT_DIR) + "/ctapp@.service";
  if (auto status = ctapp::run_generator(options, log); !status) {
    log.write(ctapp::Priority::kErr, fmt::format("failed to write units: {}", status.error().message));
    return 1;
  }
  return 0;
}

}  // namespace

// A backstop only: errors are values, and an exception that still gets here
// is a bug; it must end in one line and exit 1, not in abort() and a core.
int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ctapp-generator: internal error: %s\n", ctapp::one_line(error.what()).c_str());
  } catch (...) {
    std::fprintf(stderr, "ctapp-generator: internal error: unknown exception\n");
  }
  return 1;
}
