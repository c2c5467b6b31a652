// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <span>

#include "cli/command.h"

namespace ctapp {

// The table of subcommands, in the order `ctapp --help` lists them.
std::span<const Command> all_commands();

}  // namespace ctapp
