// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/ready_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "process/process.h"

namespace ctapp {
namespace {

constexpr int kConnectTimeoutMs = 1000;

// In the forked child: only async-signal-safe calls, then _exit.
[[noreturn]] void probe_tcp_in_child(pid_t container_pid, uint16_t port) {
  char ns_path[64];
  std::snprintf(ns_path, sizeof ns_path, "/proc/%d/ns/net", static_cast<int>(container_pid));
  int ns = ::open(ns_path, O_RDONLY | O_CLOEXEC);
  if (ns < 0 || ::setns(ns, CLONE_NEWNET) < 0) ::_exit(2);
  int sock = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (sock < 0) ::_exit(2);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) ::_exit(0);
  if (errno != EINPROGRESS) ::_exit(1);
  pollfd pending{sock, POLLOUT, 0};
  if (::poll(&pending, 1, kConnectTimeoutMs) != 1) ::_exit(1);
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(sock, SOL_SOCKET, SO_ERROR, &error, &length);
  ::_exit(error == 0 ? 0 : 1);
}

}  // namespace

Result<pid_t> start_probe_attempt(const ReadyProbe& probe, pid_t container_pid,
                                  const OciRuntime& runtime, const std::string& id,
                                  const ProbeOptions& options) {
  if (const auto* tcp = std::get_if<TcpProbe>(&probe)) {
    pid_t pid = ::fork();
    if (pid < 0) return fail("fork for the readiness probe: {}", errno_text(errno));
    if (pid == 0) {
      ::setpgid(0, 0);  // killed as a group, like a command probe
      probe_tcp_in_child(container_pid, tcp->port);
    }
    ::setpgid(pid, pid);  // both sides, so that the group exists before kill(-pid)
    return pid;
  }
  if (const auto* command = std::get_if<ExecProbe>(&probe)) {
    return spawn_process(runtime.exec_argv(id, command->argv, false, {.pid_file = options.pid_file}),
                         {.env_changes = {"NOTIFY_SOCKET"},
                          .quiet_stderr = true,
                          .output_fd = options.output_fd,
                          .own_process_group = true});
  }
  return fail("the app has no readiness probe");
}

std::string describe_probe(const ReadyProbe& probe) {
  if (const auto* tcp = std::get_if<TcpProbe>(&probe)) return fmt::format("tcp:{}", tcp->port);
  if (const auto* command = std::get_if<ExecProbe>(&probe))
    return fmt::format("command '{}'", fmt::join(command->argv, " "));
  return "none";
}

}  // namespace ctapp
