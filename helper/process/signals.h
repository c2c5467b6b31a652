// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <vector>

namespace ctapp {

// The signals a supervisor passes on to what it supervises: every catchable
// one except SIGCHLD (ours), the faults a process raises against itself
// (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT), SIGPIPE (a
// write of ours to a closed pipe), and terminal job control (SIGTSTP,
// SIGTTIN, SIGTTOU), which stops the one it was meant for. The real-time
// signals SIGRTMIN..SIGRTMAX are included.
const std::vector<int>& forwarded_signals();

// SIGINT, SIGTERM, SIGHUP, SIGQUIT: what `ctapp run --foreground` treats as
// "stop the app" (a terminal closing, Ctrl-C, Ctrl-\, kill).
bool is_foreground_stop_request(int signal);

}  // namespace ctapp
