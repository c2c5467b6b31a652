// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <optional>

#include "core/paths.h"
#include "core/result.h"
#include "log.h"

namespace ctapp {

struct GeneratorOptions {
  Paths paths;
  // Where units go; empty with dry_run.
  std::filesystem::path output_dir;
  bool dry_run = false;  // print "---PATH---" framed files to stdout instead
  std::filesystem::path template_unit;  // target of the .wants/ symlinks
};

// One pass over every app: valid apps get their drop-in and .wants/ links,
// invalid ones are logged (file:line:col) and skipped. Fails only when the
// output could not be written at all.
Status run_generator(const GeneratorOptions& options, GeneratorLog& log);

}  // namespace ctapp
