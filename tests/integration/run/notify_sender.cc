// SPDX-License-Identifier: LGPL-2.1-or-later
// A static stand-in for systemd-notify inside test containers: sends argv[1]
// (with "\n" escapes turned into newlines) to $NOTIFY_SOCKET.
#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (argc != 2 || !path || std::strlen(path) >= sizeof address.sun_path) return 2;
  std::string message;
  for (const char* p = argv[1]; *p; ++p) {
    if (p[0] == '\\' && p[1] == 'n') {
      message += '\n';
      ++p;
    } else {
      message += *p;
    }
  }
  std::strcpy(address.sun_path, path);
  int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0) return 1;
  if (::sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&address),
               static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(path) + 1)) < 0) {
    std::perror("sendto");
    return 1;
  }
  return 0;
}
