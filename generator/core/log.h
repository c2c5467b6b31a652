// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace ctapp {

// syslog priorities, as systemd uses them.
enum class LogLevel { kErr = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

// One line to stderr. Under systemd, where stderr is the journal, the line
// carries a "<N>" priority prefix (sd-daemon.h's SD_ERR...); on a terminal or
// a pipe it is plain text.
void log_line(LogLevel level, std::string_view message);

template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  log_line(level, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace ctapp
