// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace ctapp {

// ctapp gc [--dry-run] [--keep N] [--volumes]: removes the version
// directories beyond the first N (default 2: current and previous) of each
// app's record, the versions, records, rootfs bundles and store refs of
// apps whose .ctapp is gone, version directories no record names, and the
// store's blobs no ref of index.json reaches; prints what it removed and
// the bytes freed. A version a prepared or running app uses is never
// removed. Volumes of apps that no longer exist are listed, and removed
// only with --volumes. Each app is handled under its setup lock, the blobs
// under the store's exclusive blob lock (pulls, prepares and updates hold
// it shared).
int run_gc_command(const GlobalOptions& options, const std::vector<std::string>& args);

}  // namespace ctapp
