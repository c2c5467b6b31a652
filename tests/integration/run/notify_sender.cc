// SPDX-License-Identifier: LGPL-2.1-or-later
// A static stand-in for systemd-notify inside (and outside) test containers:
// sends argv[1] (with "\n" escapes turned into newlines) to $NOTIFY_SOCKET,
// then waits as sd_notify_barrier() does: it sends BARRIER=1 with the write
// end of a pipe and waits (at most 5 s) until the receiver has closed it, so
// that the receiver sees this process alive when it reads the message.
// With --pass-fd, the first message carries the write end of a second pipe
// too, and the sender waits for that one to be closed as well (exit 3 if
// it is not).
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

bool send_with_fd(int sock, const sockaddr_un& address, socklen_t length, const std::string& message,
                  int fd) {
  iovec iov{const_cast<char*>(message.data()), message.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr header{};
  header.msg_name = const_cast<sockaddr_un*>(&address);
  header.msg_namelen = length;
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  if (fd >= 0) {
    header.msg_control = control;
    header.msg_controllen = sizeof control;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
  }
  if (::sendmsg(sock, &header, 0) < 0) {
    std::perror("sendmsg");
    return false;
  }
  return true;
}

// True when every writer of `read_end` is gone within 5 s.
bool closed_by_receiver(int read_end) {
  pollfd fd{read_end, POLLIN, 0};
  return ::poll(&fd, 1, 5000) == 1 && (fd.revents & POLLHUP);
}

}  // namespace

int main(int argc, char** argv) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  bool pass_fd = argc == 3 && std::strcmp(argv[1], "--pass-fd") == 0;
  const char* text = argv[argc - 1];
  if ((argc != 2 && !pass_fd) || !path || std::strlen(path) >= sizeof address.sun_path) return 2;
  std::string message;
  for (const char* p = text; *p; ++p) {
    if (p[0] == '\\' && p[1] == 'n') {
      message += '\n';
      ++p;
    } else {
      message += *p;
    }
  }
  std::strcpy(address.sun_path, path);
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(path) + 1);
  int sock = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  if (sock < 0) return 1;
  int passed[2] = {-1, -1};
  if (pass_fd && ::pipe(passed) < 0) return 1;
  if (!send_with_fd(sock, address, length, message, passed[1])) return 1;
  if (pass_fd) ::close(passed[1]);
  int barrier[2];
  if (::pipe(barrier) < 0) return 1;
  if (!send_with_fd(sock, address, length, "BARRIER=1", barrier[1])) return 1;
  ::close(barrier[1]);
  if (!closed_by_receiver(barrier[0])) return 4;
  if (pass_fd && !closed_by_receiver(passed[0])) return 3;
  return 0;
}
