// SPDX-License-Identifier: LGPL-2.1-or-later
#include "network/netns.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/unique_fd.h"

namespace ctapp {
namespace {

// The new namespace's loopback is down, and CNI plugins such as bridge do
// not touch it: without this, 127.0.0.1 inside a bridge-mode app (and a
// tcp:PORT readiness probe) never answers. runc brings lo up only in
// namespaces it creates itself, not in one it joins.
bool bring_loopback_up() {
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return false;
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &request) < 0) return false;
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
  return ::ioctl(sock.get(), SIOCSIFFLAGS, &request) == 0;
}

}  // namespace

Status create_netns(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) return fail("create '{}': {}", path.parent_path().string(), error.message());
  UniqueFd file(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
  if (!file.valid()) return fail("create '{}': {}", path.string(), errno_text(errno));
  file.reset();
  // A child enters a new network namespace and pins it on `path`; the
  // namespace lives on after the child exits, held by the mount.
  pid_t pid = ::fork();
  if (pid < 0) return fail("fork: {}", errno_text(errno));
  if (pid == 0) {
    if (::unshare(CLONE_NEWNET) < 0) ::_exit(1);
    if (!bring_loopback_up()) ::_exit(3);
    if (::mount("/proc/self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) < 0) ::_exit(2);
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ::unlink(path.c_str());
    int step = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    return fail("create network namespace '{}': {} failed", path.string(),
                step == 2 ? "mount" : step == 3 ? "bringing up its loopback" : "unshare");
  }
  return {};
}

Status remove_netns(const std::filesystem::path& path) {
  if (::umount2(path.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return fail("unmount network namespace '{}': {}", path.string(), errno_text(errno));
  if (::unlink(path.c_str()) < 0 && errno != ENOENT)
    return fail("remove '{}': {}", path.string(), errno_text(errno));
  return {};
}

}  // namespace ctapp
