// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <archive.h>

namespace ctapp {

// libarchive's message for the last error of `a`. archive_error_string()
// returns NULL when a reader failed without setting one (a corrupt gzip
// stream, a pax record with an empty key), and NULL must never reach fmt or
// std::string: every call site goes through this.
inline const char* archive_error(archive* a) {
  const char* message = a ? archive_error_string(a) : nullptr;
  return message && *message ? message : "unknown error";
}

}  // namespace ctapp
