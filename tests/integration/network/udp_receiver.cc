// SPDX-License-Identifier: LGPL-2.1-or-later
// For the UDP publish test, inside a busybox container (whose nc has no
// UDP): receives datagrams on port argv[1] and appends each to file argv[2].
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) < 0) {
    std::perror("bind");
    return 1;
  }
  char buffer[2048];
  while (true) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) continue;
    FILE* out = std::fopen(argv[2], "a");
    if (!out) return 1;
    std::fwrite(buffer, 1, static_cast<size_t>(n), out);
    std::fclose(out);
  }
}
