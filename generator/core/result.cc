// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/result.h"

#include <cstring>

namespace ctapp {

std::string one_line(std::string_view text) {
  std::string line;
  line.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      line += "\\n";
    } else if (c == '\t') {
      line += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      line += fmt::format("\\x{:02x}", byte);
    } else {
      line += c;
    }
  }
  return line;
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace ctapp
