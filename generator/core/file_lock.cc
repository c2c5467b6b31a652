// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

namespace ctapp {

Result<FileLock> FileLock::acquire(const std::filesystem::path& path, Wait wait,
                                   const std::string& what, Mode mode) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) return fail("create '{}': {}", path.parent_path().string(), error.message());
  FileLock lock;
  lock.fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock.fd_.valid()) return fail("open lock '{}': {}", path.string(), errno_text(errno));
  int operation = (mode == Mode::kShared ? LOCK_SH : LOCK_EX) | (wait == Wait::kFailIfHeld ? LOCK_NB : 0);
  while (::flock(lock.fd_.get(), operation) < 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return fail("{} (lock '{}' is held)", what, path.string());
    return fail("lock '{}': {}", path.string(), errno_text(errno));
  }
  return lock;
}

void FileLock::keep_across_exec() {
  int flags = ::fcntl(fd_.get(), F_GETFD);
  if (flags >= 0) ::fcntl(fd_.get(), F_SETFD, flags & ~FD_CLOEXEC);
  fd_.release();
}

}  // namespace ctapp
