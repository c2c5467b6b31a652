// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>

#include "core/result.h"
#include "core/unique_fd.h"

namespace ctapp {

// An flock(2) on a lock file, held until the object is destroyed (or the
// process dies: the kernel releases it, so a crash never leaves a stale lock).
class FileLock {
 public:
  enum class Wait { kBlock, kFailIfHeld };
  // Shared locks exclude only an exclusive one (readers and a writer).
  enum class Mode { kExclusive, kShared };

  // Creates the file (and its directory) if needed. With kFailIfHeld, fails
  // with "held" semantics: the message names `what`.
  static Result<FileLock> acquire(const std::filesystem::path& path, Wait wait,
                                  const std::string& what, Mode mode = Mode::kExclusive);

  // Keeps the lock held by the program this process execs next: the fd
  // loses O_CLOEXEC and this object gives it up.
  void keep_across_exec();

 private:
  UniqueFd fd_;
};

}  // namespace ctapp
