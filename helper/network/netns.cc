// SPDX-License-Identifier: LGPL-2.1-or-later
#include "network/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "core/unique_fd.h"

namespace ctapp {

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
    if (::mount("/proc/self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) < 0) ::_exit(2);
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ::unlink(path.c_str());
    return fail("create network namespace '{}': {} failed", path.string(),
                WIFEXITED(status) && WEXITSTATUS(status) == 2 ? "mount" : "unshare");
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
