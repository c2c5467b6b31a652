// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

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
                         int stdout_fd) {
  if (argv.empty()) return fail("no program to run");
  std::string program = argv[0].find('/') == std::string::npos ? find_executable(argv[0]) : argv[0];
  if (program.empty()) return fail("'{}' is not installed (not found in PATH)", argv[0]);
  std::vector<std::string> env = changed_environment(options.env_changes);
  std::vector<char*> envp, args;
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& arg : argv_copy) args.push_back(arg.data());
  args.push_back(nullptr);
  // The supervisor blocks the signals it handles through a signalfd; a child
  // must start with none blocked and default dispositions, or runc and the
  // container would inherit a blocked SIGTERM.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGPIPE, SIGUSR1, SIGUSR2})
    sigaddset(&defaults, signal);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  SpawnFileActions actions;
  if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(actions.get(), stdout_fd, 1);
  if (options.quiet_stderr)
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
  return spawn_with(argv, options, -1);
}

Result<int> wait_process(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return fail("waitpid {}: {}", pid, errno_text(errno));
  }
  return exit_code_of(status);
}

Result<ProcessResult> run_process(const std::vector<std::string>& argv, const SpawnOptions& options) {
  ProcessResult result;
  UniqueFd read_end, write_end;
  if (options.capture_stdout) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) return fail("pipe: {}", errno_text(errno));
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
  auto pid = spawn_with(argv, options, write_end.get());
  if (!pid) return std::unexpected(pid.error());
  write_end.reset();
  if (read_end.valid()) {
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(read_end.get(), buffer, sizeof buffer)) != 0) {
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      result.stdout_text.append(buffer, static_cast<size_t>(n));
    }
  }
  auto code = wait_process(*pid);
  if (!code) return std::unexpected(code.error());
  result.exit_code = *code;
  return result;
}

}  // namespace ctapp
