// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ctapp {

// An ordered systemd unit file (or drop-in): sections and keys serialise in
// insertion order, so the same input always gives the same bytes.
// Values are stored exactly as they will be written: escape them on the way
// in with escape_specifiers() or quote_exec_word(). A value must not contain
// a newline; add() replaces any control character with a space as a last line
// of defence, since the parser already rejects them with a location.
class UnitFile {
 public:
  void add(std::string_view section, std::string_view key, std::string_view value);
  // "# comment" lines, then each section.
  std::string to_string(const std::vector<std::string>& header_comments) const;
  bool empty() const { return sections_.empty(); }

 private:
  struct Section {
    std::string name;
    std::vector<std::pair<std::string, std::string>> entries;
  };
  std::vector<Section> sections_;
};

// "%" -> "%%", so systemd does not expand specifiers in the value.
std::string escape_specifiers(std::string_view value);

// One word of an Exec*= line: specifiers escaped, and C-escaped and
// double-quoted when it contains anything but safe characters.
std::string quote_exec_word(std::string_view word);

}  // namespace ctapp
