// SPDX-License-Identifier: LGPL-2.1-or-later
#include "registry/pull_progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "core/log.h"
#include "runtime/notify_relay.h"

namespace ctapp {
namespace {

// How much longer the start may take each time bytes arrived in the last
// interval: several intervals, so one slow stretch does not end it.
constexpr long kExtendMicroseconds = 30'000'000;

std::string megabytes(int64_t bytes) { return fmt::format("{:.1f}", static_cast<double>(bytes) / 1e6); }

}  // namespace

PullProgress::PullProgress(std::string name, int64_t total)
    : name_(std::move(name)),
      total_(total),
      terminal_(::isatty(2) == 1),
      under_systemd_(std::getenv("NOTIFY_SOCKET") != nullptr) {
  thread_ = std::thread([this] { run(); });
}

PullProgress::~PullProgress() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PullProgress::finish() {
  {
    std::lock_guard lock(mutex_);
    if (done_) return;
    done_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  report(true);
}

void PullProgress::run() {
  auto interval = terminal_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(3000);
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval, [this] { return done_; })) {
    lock.unlock();
    report(false);
    lock.lock();
  }
}

void PullProgress::report(bool final) {
  int64_t now = downloaded.load();
  bool moved = now != reported_;
  reported_ = now;
  if (under_systemd_ && moved && !final)
    notify_systemd(fmt::format("EXTEND_TIMEOUT_USEC={}\nSTATUS=Pulling {}: {} of {} MB\n",
                               kExtendMicroseconds, name_, megabytes(now), megabytes(total_)));
  if (terminal_) {
    int width = 30;
    int filled = total_ > 0 ? static_cast<int>(width * now / total_) : width;
    std::fprintf(stderr, "\r%s [%s%s] %s/%s MB%s", name_.c_str(), std::string(filled, '=').c_str(),
                 std::string(width - filled, ' ').c_str(), megabytes(now).c_str(),
                 megabytes(total_).c_str(), final ? "\n" : "");
    std::fflush(stderr);
  } else if (final) {
    log(LogLevel::kNotice, "pulled {}: {} MB", name_, megabytes(now));
  } else if (moved) {
    log(LogLevel::kInfo, "pulling {}: {} of {} MB", name_, megabytes(now), megabytes(total_));
  }
}

}  // namespace ctapp
