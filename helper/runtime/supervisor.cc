// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/supervisor.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <optional>

#include <fmt/format.h>

#include "core/log.h"
#include "core/unique_fd.h"
#include "runtime/health_checker.h"
#include "runtime/notify_relay.h"
#include "process/process.h"
#include "process/signals.h"
#include "runtime/ready_probe.h"

namespace ctapp {
namespace {

Result<UniqueFd> block_signals_into_fd() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int signal : forwarded_signals()) sigaddset(&mask, signal);
  sigaddset(&mask, SIGCHLD);
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) < 0) return fail("sigprocmask: {}", errno_text(errno));
  UniqueFd fd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd.valid()) return fail("signalfd: {}", errno_text(errno));
  return fd;
}

// The whole life of one container after `runc create`.
class SupervisorLoop {
 public:
  SupervisorLoop(const OciRuntime& runtime, const SupervisorConfig& config, pid_t init_pid)
      : runtime_(runtime), config_(config), init_pid_(init_pid) {}

  Result<ContainerExit> run(UniqueFd signals, std::optional<NotifyRelay> relay) {
    signals_ = std::move(signals);
    relay_ = std::move(relay);
    if (config_.notify == NotifyMode::kHealthy) {
      auto timer = make_timer(std::chrono::milliseconds(1), config_.probe_interval);
      if (!timer) return std::unexpected(timer.error());
      probe_timer_ = std::move(*timer);
      probe_deadline_ = std::chrono::steady_clock::now() + config_.ready_timeout;
    }
    if (!std::holds_alternative<std::monostate>(config_.health.check)) {
      auto checker = HealthChecker::start(config_.health, config_.health_file, runtime_, config_.id,
                                          init_pid_);
      if (!checker) return std::unexpected(checker.error());
      health_ = std::move(*checker);
      if (config_.watchdog_ping.count() > 0) {
        auto timer = make_timer(config_.watchdog_ping, config_.watchdog_ping);
        if (!timer) return std::unexpected(timer.error());
        watchdog_timer_ = std::move(*timer);
      }
    }
    while (!exit_) {
      pollfd fds[7] = {{signals_.get(), POLLIN, 0},
                       {relay_ ? relay_->fd() : -1, POLLIN, 0},
                       {probe_timer_.get(), POLLIN, 0},
                       {kill_timer_.get(), POLLIN, 0},
                       {health_ ? health_->interval_fd() : -1, POLLIN, 0},
                       {health_ ? health_->timeout_fd() : -1, POLLIN, 0},
                       {watchdog_timer_.get(), POLLIN, 0}};
      if (::poll(fds, 7, -1) < 0) {
        if (errno == EINTR) continue;
        return fail("poll: {}", errno_text(errno));
      }
      if (fds[0].revents & POLLIN) handle_signals();
      if (fds[1].revents & POLLIN) handle_notify();
      if (fds[2].revents & POLLIN) handle_probe_timer();
      if (fds[3].revents & POLLIN) {
        kill_timer_.reset();
        ::kill(init_pid_, SIGKILL);
      }
      if (health_ && (fds[4].revents & POLLIN)) {
        if (auto finished = health_->on_interval(); finished && finished->transition)
          health_changed(*finished->transition);
      }
      if (health_ && (fds[5].revents & POLLIN)) health_->on_timeout();
      if (fds[6].revents & POLLIN) {
        drain_timer(watchdog_timer_.get());
        if (health_ && health_->state().report().status != HealthStatus::kUnhealthy)
          notify_systemd("WATCHDOG=1\n");
      }
    }
    return *exit_;
  }

 private:
  void handle_signals() {
    signalfd_siginfo info;
    while (::read(signals_.get(), &info, sizeof info) == sizeof info) {
      int signal = static_cast<int>(info.ssi_signo);
      if (signal == SIGCHLD) {
        reap_children();
        continue;
      }
      int forwarded = signal == SIGTERM ? config_.stop_signal : signal;
      if ((signal == SIGTERM || signal == SIGINT) && !stop_requested_) {
        stop_requested_ = true;
        if (health_) health_->stop();
        notify_systemd("STOPPING=1\nSTATUS=Stopping\n");
        start_kill_timer();
      }
      ::kill(init_pid_, forwarded);
    }
  }

  void reap_children() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (health_) {
        if (auto finished = health_->on_exit(pid, status)) {
          if (finished->transition) health_changed(*finished->transition);
          continue;
        }
      }
      if (pid == probe_pid_) {
        probe_pid_ = 0;
        if (exit_code_of(status) == 0) mark_ready();
      } else if (pid == init_pid_) {
        exit_ = ContainerExit{exit_code_of(status), stop_requested_, never_ready_, probe_hung_,
                              unhealthy_action_, unhealthy_status_};
      }
      // Anything else is an orphan of the container reparented to us, the
      // subreaper: reaping it is all there is to do.
    }
  }

  void start_kill_timer() {
    if (auto timer = make_timer(config_.kill_after, std::chrono::milliseconds(0)); timer)
      kill_timer_ = std::move(*timer);
  }

  // Logged once per transition, not per check.
  void health_changed(HealthStatus status) {
    std::string text = health_->state().status_text();
    notify_systemd(fmt::format("STATUS={}\n", text));
    if (relay_) relay_->set_drop_watchdog(status == HealthStatus::kUnhealthy);
    if (auto error = health_->take_write_error(); !error.empty())
      log_line(LogLevel::kWarning, fmt::format("app '{}': {}, ignoring", config_.id, error));
    if (status != HealthStatus::kUnhealthy) {
      log_line(LogLevel::kNotice, fmt::format("app '{}' is {}", config_.id, text));
      return;
    }
    log_line(LogLevel::kWarning, fmt::format("app '{}' is {}", config_.id, text));
    if (config_.health.on_failure == HealthOnFailure::kNone || stop_requested_ || unhealthy_action_)
      return;
    unhealthy_action_ = config_.health.on_failure;
    unhealthy_status_ = text;
    health_->stop();
    if (config_.health.on_failure == HealthOnFailure::kKill) {
      ::kill(init_pid_, SIGKILL);
      return;
    }
    // restart: a stop like systemd's (stop signal, SIGKILL after the grace
    // time); the supervisor then exits with failure and Restart= applies.
    ::kill(init_pid_, config_.stop_signal);
    start_kill_timer();
  }

  void handle_notify() {
    std::string forwarded = relay_->relay_one();
    if (!ready_ && forwarded.find("READY=1\n") != std::string::npos) ready_ = true;
  }

  void handle_probe_timer() {
    drain_timer(probe_timer_.get());
    if (ready_) return;
    // Checked before "is an attempt still running?": a probe that never
    // exits must not keep the app from failing at its ready timeout.
    if (std::chrono::steady_clock::now() > probe_deadline_) {
      never_ready_ = true;
      if (probe_pid_ != 0) {
        probe_hung_ = true;
        ::kill(-probe_pid_, SIGKILL);  // the attempt and whatever it started
      }
      probe_timer_.reset();
      ::kill(init_pid_, SIGKILL);
      return;
    }
    if (probe_pid_ != 0) return;
    auto pid = start_probe_attempt(config_.probe, init_pid_, runtime_, config_.id);
    if (pid) probe_pid_ = *pid;
  }

  void mark_ready() {
    if (ready_) return;
    ready_ = true;
    probe_timer_.reset();
    notify_systemd(fmt::format("READY=1\nSTATUS=Running, ready ({})\n", describe_probe(config_.probe)));
  }

  const OciRuntime& runtime_;
  const SupervisorConfig& config_;
  pid_t init_pid_;
  UniqueFd signals_;
  std::optional<NotifyRelay> relay_;
  UniqueFd probe_timer_;
  UniqueFd kill_timer_;
  std::optional<HealthChecker> health_;
  UniqueFd watchdog_timer_;
  std::optional<HealthOnFailure> unhealthy_action_;
  std::string unhealthy_status_;
  std::chrono::steady_clock::time_point probe_deadline_;
  pid_t probe_pid_ = 0;
  bool ready_ = false;
  bool stop_requested_ = false;
  bool never_ready_ = false;
  bool probe_hung_ = false;
  std::optional<ContainerExit> exit_;
};

}  // namespace

Result<ContainerExit> supervise(const OciRuntime& runtime, const SupervisorConfig& config) {
  // runc's init is reparented to us once `runc create` exits: being the
  // subreaper lets us wait for it (and reap whatever it leaves behind).
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) return fail("PR_SET_CHILD_SUBREAPER: {}", errno_text(errno));
  auto signals = block_signals_into_fd();
  if (!signals) return std::unexpected(signals.error());
  std::optional<NotifyRelay> relay;
  if (config.notify == NotifyMode::kContainer) {
    auto bound = NotifyRelay::bind(config.notify_socket);
    if (!bound) return std::unexpected(bound.error());
    relay = std::move(*bound);
  }
  // The relay must know the container's PID namespace before the app can
  // send its first message: create, accept, then start. Without a relay
  // nothing happens in between, and `run --detach` saves a runtime process
  // (about 7 ms of every start, bench/run.sh).
  auto init_pid = relay ? runtime.create(config.id, config.bundle)
                        : runtime.run_detached(config.id, config.bundle);
  if (!init_pid) return std::unexpected(init_pid.error());
  if (relay) {
    if (auto accepting = relay->accept_from_container(*init_pid); !accepting) {
      ::kill(*init_pid, SIGKILL);
      return std::unexpected(accepting.error());
    }
    if (auto started = runtime.start(config.id); !started) {
      ::kill(*init_pid, SIGKILL);
      return std::unexpected(started.error());
    }
  }
  if (config.notify == NotifyMode::kStarted)
    notify_systemd(fmt::format("READY=1\nSTATUS=Running (container pid {})\n", *init_pid));
  else if (config.notify == NotifyMode::kHealthy)
    notify_systemd(fmt::format("STATUS=Waiting for {}\n", describe_probe(config.probe)));
  SupervisorLoop loop(runtime, config, *init_pid);
  return loop.run(std::move(*signals), std::move(relay));
}

}  // namespace ctapp
