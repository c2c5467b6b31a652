// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/notify_relay.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>


namespace ctapp {
namespace {

// sd_notify messages are small; systemd itself refuses more than this.
constexpr size_t kMaxMessage = 4096;

}  // namespace

Result<NotifyRelay> NotifyRelay::bind(const std::filesystem::path& socket_path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.string().size() >= sizeof address.sun_path)
    return fail("notify socket path '{}' is too long", socket_path.string());
  std::strcpy(address.sun_path, socket_path.c_str());
  std::error_code error;
  std::filesystem::create_directories(socket_path.parent_path(), error);
  if (error) return fail("create '{}': {}", socket_path.parent_path().string(), error.message());
  ::unlink(socket_path.c_str());
  NotifyRelay relay;
  relay.socket_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!relay.socket_.valid()) return fail("notify socket: {}", errno_text(errno));
  if (::bind(relay.socket_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0)
    return fail("bind notify socket '{}': {}", socket_path.string(), errno_text(errno));
  // The app may run as any user inside the container.
  ::chmod(socket_path.c_str(), 0777);
  ::chmod(socket_path.parent_path().c_str(), 0755);
  return relay;
}

std::string NotifyRelay::relay_one() {
  char buffer[kMaxMessage + 1];
  char control[CMSG_SPACE(sizeof(int) * 16)];
  iovec iov{buffer, kMaxMessage};
  msghdr header{};
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  header.msg_control = control;
  header.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(socket_.get(), &header, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
  if (n <= 0) return {};
  // File descriptors (FDSTORE=1) are not relayed: close any we were sent.
  for (cmsghdr* cmsg = CMSG_FIRSTHDR(&header); cmsg; cmsg = CMSG_NXTHDR(&header, cmsg)) {
    if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int fds[16];
    std::memcpy(fds, CMSG_DATA(cmsg), count * sizeof(int));
    for (size_t i = 0; i < count; ++i) ::close(fds[i]);
  }
  if (static_cast<size_t>(n) > kMaxMessage || (header.msg_flags & MSG_TRUNC)) return {};
  std::string forwarded = filter_notify_message({buffer, static_cast<size_t>(n)});
  if (!forwarded.empty()) notify_systemd(forwarded);
  return forwarded;
}

std::string filter_notify_message(std::string_view message) {
  std::string forwarded;
  while (!message.empty()) {
    auto newline = message.find('\n');
    auto line = message.substr(0, newline);
    message.remove_prefix(newline == std::string_view::npos ? message.size() : newline + 1);
    auto equals = line.find('=');
    if (equals == 0 || equals == std::string_view::npos) continue;
    if (line.starts_with("MAINPID=") || line.starts_with("FDSTORE") || line.starts_with("FDNAME="))
      continue;
    forwarded.append(line);
    forwarded.push_back('\n');
  }
  return forwarded;
}

// sd_notify(3) by hand: the supervisor is linked statically to stay small
// (DESIGN: RSS <= 2 MiB), and Debian ships no static libsystemd.
void notify_systemd(const std::string& message) {
  const char* socket_path = std::getenv("NOTIFY_SOCKET");
  if (!socket_path || !*socket_path) return;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  size_t length = std::strlen(socket_path);
  if (length >= sizeof address.sun_path || (socket_path[0] != '/' && socket_path[0] != '@')) return;
  std::memcpy(address.sun_path, socket_path, length);
  if (socket_path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return;
  ::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL,
           reinterpret_cast<sockaddr*>(&address),
           static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length));
}

}  // namespace ctapp
