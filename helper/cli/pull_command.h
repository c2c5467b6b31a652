// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include "cli/command.h"

namespace ctapp {

// ctapp pull [--platform OS/ARCH[/VARIANT]] [--tls-verify=false] REF
int run_pull_command(const GlobalOptions& options, const std::vector<std::string>& args);
// ctapp images [--json]: the store's images, their digests, sizes and apps.
int run_images_command(const GlobalOptions& options, const std::vector<std::string>& args);

}  // namespace ctapp
