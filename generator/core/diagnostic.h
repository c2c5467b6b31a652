// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ctapp {

// One located problem in a .ctapp file. Line and column are 1-based; 0 means
// the problem concerns the file as a whole.
struct Diagnostic {
  std::filesystem::path path;
  uint32_t line = 0;
  uint32_t column = 0;
  std::string message;

  // "path:line:col: message" (or "path: message" without a position).
  std::string format() const;
};

using Diagnostics = std::vector<Diagnostic>;

// The closest candidate to `word` if it is a plausible typo of it
// (Levenshtein distance at most max(2, size/3)), else empty.
std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace ctapp
