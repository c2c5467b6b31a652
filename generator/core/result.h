// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <expected>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace ctapp {

// An error a user can act on: one sentence saying what failed, on which file or
// object, and, where we know it, what to do about it. Errors travel up as values
// and are printed once, by main().
struct Error {
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

template <typename... Args>
std::unexpected<Error> fail(fmt::format_string<Args...> format, Args&&... args) {
  return std::unexpected(Error{fmt::format(format, std::forward<Args>(args)...)});
}

// "context: message", for adding the object or step on the way up.
inline Error wrap(std::string_view context, const Error& inner) {
  return Error{fmt::format("{}: {}", context, inner.message)};
}

// `text` with control characters written as \n, \t or \xNN: how every log
// sink prints a line, so that a name from outside (an app name, a path, a
// registry's answer) cannot start a second, forged journal line.
std::string one_line(std::string_view text);

// Formats errno like systemd does: "open 'path': No such file or directory".
std::string errno_text(int err);

}  // namespace ctapp
