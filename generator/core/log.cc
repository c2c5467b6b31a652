// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/log.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "core/result.h"

namespace ctapp {
namespace {

// systemd.exec(5): JOURNAL_STREAM is "DEVICE:INODE" of the stream connected
// to the journal; it counts only if stderr still is that stream.
bool stderr_is_journal() {
  static const bool is_journal = [] {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream) return false;
    unsigned long long device = 0, inode = 0;
    if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
    struct stat st;
    return ::fstat(2, &st) == 0 && st.st_dev == device && st.st_ino == inode;
  }();
  return is_journal;
}

}  // namespace

void log_line(LogLevel level, std::string_view text) {
  std::string message = one_line(text);
  if (stderr_is_journal()) {
    std::fprintf(stderr, "<%d>%.*s\n", static_cast<int>(level), static_cast<int>(message.size()),
                 message.data());
  } else {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(message.size()), message.data());
  }
}

}  // namespace ctapp
