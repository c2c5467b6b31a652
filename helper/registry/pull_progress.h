// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace ctapp {

// Reports a pull while it runs, from a thread of its own: a progress bar on
// a terminal, a line every few seconds otherwise (the journal); and, under
// systemd, EXTEND_TIMEOUT_USEC while bytes keep arriving, so a big pull at
// boot never hits the unit's start timeout while a stalled one still does.
class PullProgress {
 public:
  PullProgress(std::string name, int64_t total);
  ~PullProgress();
  PullProgress(const PullProgress&) = delete;
  PullProgress& operator=(const PullProgress&) = delete;

  // Stops reporting and prints the final line.
  void finish();

  std::atomic<int64_t> downloaded{0};

 private:
  void run();
  void report(bool final);

  std::string name_;
  int64_t total_;
  bool terminal_;
  bool under_systemd_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  int64_t reported_ = -1;
  std::thread thread_;
};

}  // namespace ctapp
