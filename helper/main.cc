// SPDX-License-Identifier: LGPL-2.1-or-later
#include <cstdio>
#include <exception>
#include <cstring>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"
#include "core/result.h"

namespace {

void print_usage(FILE* out) {
  std::fprintf(out, "Usage: ctapp [--root DIR] COMMAND [ARGS...]\n\nCommands:\n");
  for (const auto& command : ctapp::all_commands())
    std::fprintf(out, "  %-10s %s\n", command.name, command.summary);
  std::fprintf(out, "\nSee ctapp(8) and ctapp.ctapp(5).\n");
}

}  // namespace

namespace {

int run_main(int argc, char** argv) {
  std::string root;
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--root" && i + 1 < argc) {
      root = argv[++i];
    } else if (arg.starts_with("--root=")) {
      root = arg.substr(7);
    } else if (arg == "-h" || arg == "--help") {
      print_usage(stdout);
      return 0;
    } else if (arg == "--version") {
      std::printf("ctapp %s\n", CTAPP_VERSION);
      return 0;
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "ctapp: unknown option '%s'; see 'ctapp --help'\n", ctapp::one_line(arg).c_str());
      return 2;
    } else {
      break;
    }
  }
  if (i >= argc) {
    print_usage(stderr);
    return 2;
  }
  ctapp::GlobalOptions options{ctapp::Paths::from_environment(root)};
  std::string name = argv[i];
  std::vector<std::string> args(argv + i + 1, argv + argc);
  for (const auto& command : ctapp::all_commands()) {
    if (name != command.name) continue;
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      std::printf("Usage: ctapp [--root DIR] %s %s\n\n%s.\nSee ctapp(8).\n", command.name,
                  command.usage, command.summary);
      return 0;
    }
    return command.run(options, args);
  }
  std::fprintf(stderr, "ctapp: unknown command '%s'; see 'ctapp --help'\n", ctapp::one_line(name).c_str());
  return 2;
}

}  // namespace

// A backstop only: errors are values, and an exception that still gets here
// is a bug; it must end in one line and exit 1, not in abort() and a core.
int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ctapp: internal error: %s\n", ctapp::one_line(error.what()).c_str());
  } catch (...) {
    std::fprintf(stderr, "ctapp: internal error: unknown exception\n");
  }
  return 1;
}
