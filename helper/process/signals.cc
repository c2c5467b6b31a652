// SPDX-License-Identifier: LGPL-2.1-or-later
#include "process/signals.h"

#include <csignal>

namespace ctapp {

const std::vector<int>& forwarded_signals() {
  static const std::vector<int> kSignals = [] {
    std::vector<int> signals;
    for (int signal = 1; signal <= SIGRTMAX; ++signal) {
      switch (signal) {
        case SIGKILL: case SIGSTOP: case SIGCHLD: case SIGSEGV: case SIGBUS: case SIGFPE:
        case SIGILL: case SIGTRAP: case SIGSYS: case SIGABRT: case SIGPIPE: case SIGTSTP:
        case SIGTTIN: case SIGTTOU:
          continue;
        default:
          // glibc keeps the signals between the classic ones and SIGRTMIN
          // for itself (threads, setxid).
          if (signal > SIGSYS && signal < SIGRTMIN) continue;
          signals.push_back(signal);
      }
    }
    return signals;
  }();
  return kSignals;
}

bool is_foreground_stop_request(int signal) {
  return signal == SIGINT || signal == SIGTERM || signal == SIGHUP || signal == SIGQUIT;
}

}  // namespace ctapp
