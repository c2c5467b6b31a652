// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>

#include "core/paths.h"
#include "core/result.h"
#include "cli/app_loader.h"
#include "runtime/app_layout.h"

namespace ctapp {

// The steps behind `ctapp run` and `ctapp cleanup`, shared with
// `ctapp run --foreground`, which does prepare, run and cleanup in one go.

// Runs the prepared app until its container ends; returns the exit status
// for the unit: the container's, 0 after a requested stop, 1 if it never
// became ready.
Result<int> run_prepared_app(const Paths& paths, const std::string& name);

// The same with the supervisor as a child, for `ctapp run --foreground`.
Result<int> run_app_in_child(const LoadedApp& app);

// Removes the container, the overlay and the runtime state of `name`;
// succeeds when there is nothing left to remove (idempotent, and repairs
// what a crash left behind). Needs no .ctapp file.
Status cleanup_app(const Paths& paths, const std::string& name);

// The same without taking the app's setup lock, for callers that hold it.
Status remove_app_runtime(const Paths& paths, const std::string& name);

}  // namespace ctapp
