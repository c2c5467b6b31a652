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
#include <vector>

#include <fmt/format.h>

namespace ctapp {
namespace {

// sd_notify messages are small; systemd itself refuses more than this.
constexpr size_t kMaxMessage = 4096;
constexpr size_t kMaxPassedFds = 253;  // SCM_MAX_FD

enum class NotifyValue { kOne, kNumber, kText };
struct RelayedField {
  std::string_view name;
  NotifyValue value;
};

// The allow-list (see notify_relay.h and ctapp(8) for what is dropped, and why).
constexpr RelayedField kRelayedNotifyFields[] = {
    {"READY", NotifyValue::kOne},          {"RELOADING", NotifyValue::kOne},
    {"STOPPING", NotifyValue::kOne},       {"WATCHDOG", NotifyValue::kOne},
    {"STATUS", NotifyValue::kText},        {"BUSERROR", NotifyValue::kText},
    {"ERRNO", NotifyValue::kNumber},       {"EXTEND_TIMEOUT_USEC", NotifyValue::kNumber},
    {"WATCHDOG_USEC", NotifyValue::kNumber}, {"MONOTONIC_USEC", NotifyValue::kNumber},
};

// `message` (lines ending in '\n') without the lines equal to `line`.
std::string without_line(std::string_view message, std::string_view line) {
  std::string kept;
  while (!message.empty()) {
    auto end = message.find('\n');
    auto current = message.substr(0, end);
    message.remove_prefix(end == std::string_view::npos ? message.size() : end + 1);
    if (current == line) continue;
    kept.append(current);
    kept.push_back('\n');
  }
  return kept;
}

}  // namespace

Result<NotifyRelay> NotifyRelay::bind(const std::filesystem::path& socket_path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.string().size() >= sizeof address.sun_path)
    return fail("notify socket path '{}' is too long", socket_path.string());
  std::strcpy(address.sun_path, socket_path.c_str());
  if (::mkdir(socket_path.parent_path().c_str(), 0700) < 0 && errno != EEXIST)
    return fail("create '{}': {}", socket_path.parent_path().string(), errno_text(errno));
  ::unlink(socket_path.c_str());
  NotifyRelay relay;
  relay.socket_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!relay.socket_.valid()) return fail("notify socket: {}", errno_text(errno));
  int on = 1;
  if (::setsockopt(relay.socket_.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof on) < 0)
    return fail("SO_PASSCRED on the notify socket: {}", errno_text(errno));
  if (::bind(relay.socket_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0)
    return fail("bind notify socket '{}': {}", socket_path.string(), errno_text(errno));
  if (::chmod(socket_path.c_str(), 0666) < 0)
    return fail("chmod '{}': {}", socket_path.string(), errno_text(errno));
  return relay;
}

Status NotifyRelay::accept_from_container(pid_t init_pid) {
  auto path = fmt::format("/proc/{}/ns/pid", init_pid);
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return fail("stat '{}': {}", path, errno_text(errno));
  pidns_dev_ = st.st_dev;
  pidns_ino_ = st.st_ino;
  return {};
}

bool NotifyRelay::sent_by_container(pid_t sender) const {
  if (pidns_ino_ == 0 || sender <= 0) return false;
  auto path = fmt::format("/proc/{}/ns/pid", sender);
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && st.st_dev == pidns_dev_ && st.st_ino == pidns_ino_;
}

std::string NotifyRelay::relay_one() {
  char buffer[kMaxMessage + 1];
  // Room for the credentials and the most fds one message can carry, so
  // that none is left open in a truncated control message.
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(int) * kMaxPassedFds)];
  iovec iov{buffer, kMaxMessage};
  msghdr header{};
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  header.msg_control = control;
  header.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(socket_.get(), &header, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
  if (n < 0) return {};
  pid_t sender = 0;
  std::vector<int> passed_fds;
  for (cmsghdr* cmsg = CMSG_FIRSTHDR(&header); cmsg; cmsg = CMSG_NXTHDR(&header, cmsg)) {
    if (cmsg->cmsg_level != SOL_SOCKET) continue;
    if (cmsg->cmsg_type == SCM_CREDENTIALS && cmsg->cmsg_len == CMSG_LEN(sizeof(ucred))) {
      ucred credentials;
      std::memcpy(&credentials, CMSG_DATA(cmsg), sizeof credentials);
      sender = credentials.pid;
    } else if (cmsg->cmsg_type == SCM_RIGHTS) {
      size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof fd);
        passed_fds.push_back(fd);
      }
    }
  }
  // Checked while the passed fds are still open: a sender waiting on a
  // BARRIER=1 fd is alive until we close it.
  bool accepted = sent_by_container(sender);
  for (int fd : passed_fds) ::close(fd);
  if (!accepted || n == 0) return {};
  if (static_cast<size_t>(n) > kMaxMessage || (header.msg_flags & MSG_TRUNC)) return {};
  std::string forwarded = filter_notify_message({buffer, static_cast<size_t>(n)});
  if (drop_watchdog_) forwarded = without_line(forwarded, "WATCHDOG=1");
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
    if (equals == std::string_view::npos) continue;
    auto name = line.substr(0, equals), value = line.substr(equals + 1);
    bool relayed = false;
    for (const auto& field : kRelayedNotifyFields) {
      if (field.name != name) continue;
      switch (field.value) {
        case NotifyValue::kOne: relayed = value == "1"; break;
        case NotifyValue::kNumber:
          relayed = !value.empty() && value.size() <= 20 &&
                    value.find_first_not_of("0123456789") == std::string_view::npos;
          break;
        case NotifyValue::kText: relayed = value.find('\0') == std::string_view::npos; break;
      }
    }
    if (!relayed) continue;
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
