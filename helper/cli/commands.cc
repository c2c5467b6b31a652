// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/commands.h"

#include "cli/check_command.h"

namespace ctapp {

std::span<const Command> all_commands() {
  static const Command kCommands[] = {
      {"check", "validate .ctapp files and print every error", run_check_command},
  };
  return kCommands;
}

}  // namespace ctapp
