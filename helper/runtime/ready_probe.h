// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <string>

#include "core/app_config.h"
#include "core/result.h"
#include "runtime/oci_runtime.h"

namespace ctapp {

// Starts one attempt of the app's readiness probe as a child process and
// returns its PID; the attempt succeeded when the child exits 0. The child
// leads its own process group: the supervisor kills the group (kill(-PID))
// when the app's ready timeout passes with the attempt still running. Running it
// as a child keeps the supervisor's loop free: its exit arrives as SIGCHLD.
// - tcp:PORT: a forked child joins the container's network namespace and
//   connects to 127.0.0.1:PORT (so the image needs no tools);
// - a command: `runc exec` of it inside the container.
// The health checks of [health] are the same probes, with more options.
struct ProbeOptions {
  int output_fd = -1;  // a command's stdout and stderr (else discarded)
  // runc writes the command's host PID here: killing `runc exec` does not
  // end the process it started in the container.
  std::string pid_file;
};
Result<pid_t> start_probe_attempt(const ReadyProbe& probe, pid_t container_pid,
                                  const OciRuntime& runtime, const std::string& id,
                                  const ProbeOptions& options = {});

// "tcp:6379" or "command 'valkey-cli ping'", for messages.
std::string describe_probe(const ReadyProbe& probe);

}  // namespace ctapp
