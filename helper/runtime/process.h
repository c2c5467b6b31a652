// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.h"

namespace ctapp {

struct SpawnOptions {
  // Extra "NAME=value" entries; "NAME" alone removes NAME from the environment.
  std::vector<std::string> env_changes;
  bool capture_stdout = false;  // else stdout is inherited
  bool quiet_stderr = false;    // stderr to /dev/null instead of inherited
};

struct ProcessResult {
  int exit_code = 0;            // exit status, or 128 + signal number
  std::string stdout_text;      // when captured
};

// Starts argv[0] (looked up in PATH) and returns its PID; fails naming the
// program when it cannot be started.
Result<pid_t> spawn_process(const std::vector<std::string>& argv, const SpawnOptions& options = {});

// Runs argv to completion. A non-zero exit is not an error here: callers
// decide what it means.
Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  const SpawnOptions& options = {});

// waitpid() that retries on EINTR; returns the exit code (or 128 + signal).
Result<int> wait_process(pid_t pid);

// The exit code a shell would report for a waitpid() status.
int exit_code_of(int wait_status);

// PATH lookup; empty if not found.
std::string find_executable(const std::string& name);

}  // namespace ctapp
