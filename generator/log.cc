// SPDX-License-Identifier: LGPL-2.1-or-later
#include "log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "core/result.h"

namespace ctapp {

GeneratorLog::GeneratorLog() {
  if (!std::getenv("SYSTEMD_SCOPE")) return;
  // As systemd's own generators do: the kernel log, or, where there is none
  // (a container), the console.
  kmsg_.reset(::open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY));
  if (kmsg_.valid()) return;
  console_.reset(::open("/dev/console", O_WRONLY | O_CLOEXEC | O_NOCTTY));
}

void GeneratorLog::write(Priority priority, std::string_view text) {
  std::string message = one_line(text);
  if (kmsg_.valid()) {
    auto line = fmt::format("<{}>ctapp-generator[{}]: {}\n", static_cast<int>(priority), ::getpid(),
                            message);
    if (::write(kmsg_.get(), line.data(), line.size()) == static_cast<ssize_t>(line.size())) return;
  }
  if (console_.valid()) {
    auto line = fmt::format("ctapp-generator[{}]: {}\n", ::getpid(), message);
    if (::write(console_.get(), line.data(), line.size()) == static_cast<ssize_t>(line.size())) return;
  }
  std::fprintf(stderr, "%.*s\n", static_cast<int>(message.size()), message.data());
}

}  // namespace ctapp
