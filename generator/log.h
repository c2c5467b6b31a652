// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string_view>

#include "core/unique_fd.h"

namespace ctapp {

// syslog priorities, as systemd uses them.
enum class Priority { kErr = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

// The generator's log: /dev/kmsg with "<N>ctapp-generator[PID]: " when run by
// systemd (SYSTEMD_SCOPE is set, and the journal is not up yet at boot), or
// /dev/console in a container without /dev/kmsg; plain stderr by hand.
class GeneratorLog {
 public:
  GeneratorLog();
  void write(Priority priority, std::string_view message);

 private:
  UniqueFd kmsg_;
  UniqueFd console_;
};

}  // namespace ctapp
