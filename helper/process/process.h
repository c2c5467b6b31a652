// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace ctapp {

// The one place where ctapp starts other programs (runc, probes, CNI
// plugins): every child starts with no signal blocked and every signal at
// its default, whatever its parent had blocked, ignored or handled.
struct SpawnOptions {
  // Extra "NAME=value" entries; "NAME" alone removes NAME from the environment.
  std::vector<std::string> env_changes;
  // The whole environment instead of ours plus env_changes.
  std::optional<std::vector<std::string>> env;
  bool capture_stdout = false;  // else stdout is inherited
  bool quiet_stderr = false;    // stderr to /dev/null instead of inherited
  // spawn_process only: the child's stdout and stderr both go to this
  // descriptor (a health check's output, read by the caller after its exit).
  int output_fd = -1;
  // Written to the child's stdin (which is then closed); else stdin is inherited.
  std::optional<std::string> stdin_text;
  // The child leads a process group of its own, so that it and whatever it
  // started can be killed together (always so with a timeout).
  bool own_process_group = false;
  // run_process only: when the child has not exited after this long, its
  // process group is killed (SIGKILL) and run_process fails. 0: no limit.
  std::chrono::milliseconds timeout{0};
  // run_process only: the most stdout kept; more is an error (a child that
  // floods us must not exhaust memory).
  size_t max_stdout = 16 << 20;
};

struct ProcessResult {
  int exit_code = 0;            // exit status, or 128 + signal number
  std::string stdout_text;      // when captured
};

// Starts argv[0] (looked up in PATH) and returns its PID; fails naming the
// program when it cannot be started.
Result<pid_t> spawn_process(const std::vector<std::string>& argv, const SpawnOptions& options = {});

// Runs argv to completion (or to its timeout, which is an error naming the
// program and the time). A non-zero exit is not an error here: callers
// decide what it means.
Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  const SpawnOptions& options = {});

// waitpid() that retries on EINTR; returns the exit code (or 128 + signal).
Result<int> wait_process(pid_t pid);

// The exit code a shell would report for a waitpid() status.
int exit_code_of(int wait_status);

// PATH lookup; empty if not found.
std::string find_executable(const std::string& name);

// "1.5 s", "60 s": a duration for messages.
std::string describe_duration(std::chrono::milliseconds duration);

}  // namespace ctapp
