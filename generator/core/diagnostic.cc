// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/diagnostic.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

namespace ctapp {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string Diagnostic::format() const {
  if (line == 0) return fmt::format("{}: {}", path.string(), message);
  return fmt::format("{}:{}:{}: {}", path.string(), line, column, message);
}

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  size_t limit = std::max<size_t>(2, word.size() / 3);
  if (word.size() <= 2) limit = 1;
  std::string_view best;
  size_t best_distance = limit + 1;
  for (auto candidate : candidates) {
    size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return std::string(best);
}

}  // namespace ctapp
