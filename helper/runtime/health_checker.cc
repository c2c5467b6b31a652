// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/health_checker.h"

#include <sys/mman.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "process/process.h"
#include "runtime/health_file.h"
#include "runtime/ready_probe.h"

namespace ctapp {
namespace {

// What is kept of an attempt's output: its last line, this long at most
// (STATUS= and `systemctl status` show one line).
constexpr size_t kMaxOutputRead = 4096;
constexpr size_t kMaxOutputShown = 200;

timespec to_timespec(std::chrono::milliseconds duration) {
  return {static_cast<time_t>(duration.count() / 1000),
          static_cast<long>((duration.count() % 1000) * 1000000)};
}

std::string last_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  if (auto newline = text.find_last_of('\n'); newline != std::string::npos) text.erase(0, newline + 1);
  text = one_line(text);
  if (text.size() > kMaxOutputShown) text = text.substr(0, kMaxOutputShown) + "...";
  return text;
}

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<UniqueFd> make_timer(std::chrono::milliseconds first, std::chrono::milliseconds interval) {
  UniqueFd fd(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!fd.valid()) return fail("timerfd: {}", errno_text(errno));
  itimerspec spec{};
  spec.it_value = to_timespec(std::max(first, std::chrono::milliseconds(1)));
  spec.it_interval = to_timespec(interval);
  if (::timerfd_settime(fd.get(), 0, &spec, nullptr) < 0)
    return fail("timerfd_settime: {}", errno_text(errno));
  return fd;
}

void drain_timer(int fd) {
  uint64_t expirations;
  [[maybe_unused]] auto ignored = ::read(fd, &expirations, sizeof expirations);
}

HealthChecker::HealthChecker(const HealthSettings& settings, std::filesystem::path file,
                             const OciRuntime& runtime, std::string id, pid_t init_pid)
    : settings_(settings),
      file_(std::move(file)),
      runtime_(&runtime),
      id_(std::move(id)),
      init_pid_(init_pid),
      state_(settings.retries, settings.start_period, HealthState::Clock::now()) {}

Result<HealthChecker> HealthChecker::start(const HealthSettings& settings, std::filesystem::path file,
                                           const OciRuntime& runtime, std::string id, pid_t init_pid) {
  HealthChecker checker(settings, std::move(file), runtime, std::move(id), init_pid);
  auto timer = make_timer(settings.interval, settings.interval);
  if (!timer) return std::unexpected(timer.error());
  checker.interval_timer_ = std::move(*timer);
  checker.write_file();
  return checker;
}

std::optional<HealthChecker::Finished> HealthChecker::on_interval() {
  drain_timer(interval_timer_.get());
  if (stopped_ || attempt_pid_ != 0) return std::nullopt;
  output_.reset(::memfd_create("ctapp-health-output", MFD_CLOEXEC));
  std::error_code ignored;
  std::filesystem::remove(pid_file(), ignored);
  auto pid = start_probe_attempt(settings_.check, init_pid_, *runtime_, id_,
                                 {.output_fd = output_.get(), .pid_file = pid_file()});
  if (!pid) {
    // Counted as a failed check: a check that cannot even start is one.
    Finished finished;
    finished.transition = state_.record(false, one_line(pid.error().message),
                                        HealthState::Clock::now(), unix_ms_now());
    write_file();
    return finished;
  }
  attempt_pid_ = *pid;
  timed_out_ = false;
  if (auto timer = make_timer(settings_.timeout, std::chrono::milliseconds(0)); timer)
    timeout_timer_ = std::move(*timer);
  return std::nullopt;
}

void HealthChecker::on_timeout() {
  timeout_timer_.reset();
  if (attempt_pid_ == 0) return;
  timed_out_ = true;
  ::kill(-attempt_pid_, SIGKILL);  // the attempt and whatever it started
  // `runc exec` dies, the command it started in the container would not:
  // kill that (and its process group, if it leads one) by the PID runc wrote.
  if (pid_file().empty()) return;
  auto text = read_file(pid_file(), 32);
  if (!text) return;
  pid_t pid = static_cast<pid_t>(std::atoi(text->c_str()));
  if (pid <= 1 || pid == init_pid_) return;
  ::kill(::getpgid(pid) == pid ? -pid : pid, SIGKILL);
}

std::string HealthChecker::pid_file() const {
  if (file_.empty() || !std::holds_alternative<ExecProbe>(settings_.check)) return {};
  return (file_.parent_path() / "health-check.pid").string();
}

void HealthChecker::stop() {
  stopped_ = true;
  interval_timer_.reset();
}

std::optional<HealthChecker::Finished> HealthChecker::on_exit(pid_t pid, int wait_status) {
  if (pid != attempt_pid_ || pid == 0) return std::nullopt;
  attempt_pid_ = 0;
  timeout_timer_.reset();
  int exit_code = exit_code_of(wait_status);
  bool passed = exit_code == 0 && !timed_out_;
  std::string output = output_of_attempt(exit_code);
  output_.reset();
  Finished finished;
  finished.transition = state_.record(passed, std::move(output), HealthState::Clock::now(), unix_ms_now());
  write_file();
  return finished;
}

std::string HealthChecker::output_of_attempt(int exit_code) {
  if (timed_out_)
    return fmt::format("{} timed out after {}; killed", describe_probe(settings_.check),
                       describe_duration(settings_.timeout));
  std::string text;
  if (output_.valid()) {
    text.resize(kMaxOutputRead);
    ssize_t n = ::pread(output_.get(), text.data(), text.size(), 0);
    text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  text = last_line(std::move(text));
  if (!text.empty() || exit_code == 0) return text;
  if (std::holds_alternative<TcpProbe>(settings_.check))
    return fmt::format("{}: no connection", describe_probe(settings_.check));
  return fmt::format("{} exited with status {}", describe_probe(settings_.check), exit_code);
}

void HealthChecker::write_file() {
  if (file_.empty()) return;
  if (auto written = write_health_file(file_, state_.report()); !written)
    write_error_ = written.error().message;
}

std::string HealthChecker::take_write_error() {
  std::string error = std::move(write_error_);
  write_error_.clear();
  return error;
}

}  // namespace ctapp
