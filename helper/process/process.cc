// SPDX-License-Identifier: LGPL-2.1-or-later
#include "process/process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "core/unique_fd.h"

extern char** environ;

namespace ctapp {
namespace {

std::vector<std::string> changed_environment(const std::vector<std::string>& changes) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry; ++entry) env.emplace_back(*entry);
  for (const auto& change : changes) {
    auto equals = change.find('=');
    std::string name = change.substr(0, equals);
    std::erase_if(env, [&](const std::string& e) {
      return e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=';
    });
    if (equals != std::string::npos) env.push_back(change);
  }
  return env;
}

class SpawnFileActions {
 public:
  SpawnFileActions() { posix_spawn_file_actions_init(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

Result<pid_t> spawn_with(const std::vector<std::string>& argv, const SpawnOptions& options,
                         int stdin_fd, int stdout_fd) {
  if (argv.empty()) return fail("no program to run");
  std::string program = argv[0].find('/') == std::string::npos ? find_executable(argv[0]) : argv[0];
  if (program.empty()) return fail("'{}' is not installed (not found in PATH)", argv[0]);
  std::vector<std::string> env = options.env ? *options.env : changed_environment(options.env_changes);
  std::vector<char*> envp, args;
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& arg : argv_copy) args.push_back(arg.data());
  args.push_back(nullptr);
  // The supervisor blocks the signals it handles through a signalfd, and a
  // shell starts `ctapp &` with SIGINT and SIGQUIT ignored: a child must
  // start with none blocked and every signal at its default, or runc and the
  // container would inherit a blocked SIGTERM or an ignored SIGINT.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigfillset(&defaults);
  sigdelset(&defaults, SIGKILL);
  sigdelset(&defaults, SIGSTOP);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options.own_process_group || options.timeout.count() > 0) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attributes, 0);
  }
  posix_spawnattr_setflags(&attributes, flags);
  SpawnFileActions actions;
  if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(actions.get(), stdin_fd, 0);
  if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(actions.get(), stdout_fd, 1);
  if (options.output_fd >= 0 && stdout_fd < 0) {
    posix_spawn_file_actions_adddup2(actions.get(), options.output_fd, 1);
    posix_spawn_file_actions_adddup2(actions.get(), options.output_fd, 2);
  } else if (options.quiet_stderr)
    posix_spawn_file_actions_addopen(actions.get(), 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int error = posix_spawn(&pid, program.c_str(), actions.get(), &attributes, args.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  if (error != 0) return fail("start '{}': {}", program, errno_text(error));
  return pid;
}

}  // namespace

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

std::string find_executable(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (!rest.empty()) {
    auto colon = rest.find(':');
    std::string candidate = std::string(rest.substr(0, colon)) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

Result<pid_t> spawn_process(const std::vector<std::string>& argv, const SpawnOptions& options) {
  return spawn_with(argv, options, -1, -1);
}

Result<int> wait_process(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return fail("waitpid {}: {}", pid, errno_text(errno));
  }
  return exit_code_of(status);
}

std::string describe_duration(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return fmt::format("{} s", duration.count() / 1000);
  return fmt::format("{:.1f} s", static_cast<double>(duration.count()) / 1000.0);
}

Result<ProcessResult> run_process(const std::vector<std::string>& argv, const SpawnOptions& options) {
  ProcessResult result;
  // stdin is a socket, not a pipe: send() with MSG_NOSIGNAL to a child that
  // stopped reading fails with EPIPE instead of killing us with SIGPIPE.
  UniqueFd stdin_ours, stdin_theirs, stdout_ours, stdout_theirs;
  if (options.stdin_text) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
      return fail("socketpair: {}", errno_text(errno));
    stdin_ours.reset(fds[0]);
    stdin_theirs.reset(fds[1]);
    ::fcntl(stdin_ours.get(), F_SETFL, O_NONBLOCK);
  }
  if (options.capture_stdout) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) return fail("pipe: {}", errno_text(errno));
    stdout_ours.reset(fds[0]);
    stdout_theirs.reset(fds[1]);
  }
  auto pid = spawn_with(argv, options, stdin_theirs.get(), stdout_theirs.get());
  if (!pid) return std::unexpected(pid.error());
  stdin_theirs.reset();
  stdout_theirs.reset();
  UniqueFd exited(static_cast<int>(::syscall(SYS_pidfd_open, *pid, 0)));
  if (!exited.valid()) {
    int error = errno;
    ::kill(*pid, SIGKILL);
    (void)wait_process(*pid);
    return fail("pidfd_open for '{}': {}", argv[0], errno_text(error));
  }
  bool limited = options.timeout.count() > 0;
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  size_t written = 0;
  const std::string no_input;
  const std::string& input = options.stdin_text ? *options.stdin_text : no_input;
  if (stdin_ours.valid() && input.empty()) stdin_ours.reset();
  auto drain_stdout = [&]() -> bool {  // false: more than max_stdout
    char buffer[65536];
    ssize_t n;
    while ((n = ::read(stdout_ours.get(), buffer, sizeof buffer)) != 0) {
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN) stdout_ours.reset();
        return true;
      }
      if (result.stdout_text.size() + static_cast<size_t>(n) > options.max_stdout) return false;
      result.stdout_text.append(buffer, static_cast<size_t>(n));
    }
    stdout_ours.reset();
    return true;
  };
  std::string failure;
  for (;;) {
    pollfd fds[3] = {{exited.get(), POLLIN, 0},
                     {stdin_ours.valid() ? stdin_ours.get() : -1, POLLOUT, 0},
                     {stdout_ours.valid() ? stdout_ours.get() : -1, POLLIN, 0}};
    int wait_ms = -1;
    if (limited) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        failure = fmt::format("'{}' did not finish within {}; killed it", argv[0],
                              describe_duration(options.timeout));
        break;
      }
      wait_ms = static_cast<int>(std::min<long long>(left.count() + 1, 1 << 30));
    }
    int ready = ::poll(fds, 3, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      failure = fmt::format("poll for '{}': {}", argv[0], errno_text(errno));
      break;
    }
    if (fds[1].revents) {
      ssize_t n = ::send(stdin_ours.get(), input.data() + written, input.size() - written,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) stdin_ours.reset();
    }
    if (fds[2].revents && !drain_stdout()) {
      failure = fmt::format("'{}' wrote more than {} bytes to stdout; killed it", argv[0], options.max_stdout);
      break;
    }
    if (fds[0].revents) {
      // What it wrote before it exited is all in the pipe; a grandchild
      // that keeps the pipe open must not keep us waiting.
      if (stdout_ours.valid() && !drain_stdout()) {
        failure = fmt::format("'{}' wrote more than {} bytes to stdout", argv[0], options.max_stdout);
        break;
      }
      auto code = wait_process(*pid);
      if (!code) return std::unexpected(code.error());
      result.exit_code = *code;
      return result;
    }
  }
  ::kill(limited || options.own_process_group ? -*pid : *pid, SIGKILL);
  (void)wait_process(*pid);
  return std::unexpected(Error{failure});
}

}  // namespace ctapp
