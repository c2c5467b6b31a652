// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace ctapp {

// An ordered systemd unit file (or drop-in): sections and keys serialise in
// insertion order, so the same input always gives the same bytes.
//
// It is the one sink for every value that reaches a unit: add() escapes '%'
// exactly for the keys where systemd expands specifiers, and both add() and
// add_verbatim() refuse what systemd would read differently from what is
// written (a control character, or a trailing backslash, which continues the
// line). The parser rejects the same values earlier, with a location.
class UnitFile {
 public:
  // VALUE as the user wrote it; escaped as KEY needs.
  Status add(std::string_view section, std::string_view key, std::string_view value);
  // VALUE already in systemd syntax ([systemd.*] pass-through, quoted Exec
  // words): written as it is.
  Status add_verbatim(std::string_view section, std::string_view key, std::string_view value);
  // "# comment" lines, then each section.
  std::string to_string(const std::vector<std::string>& header_comments) const;
  bool empty() const { return sections_.empty(); }
  size_t entry_count() const;

 private:
  struct Section {
    std::string name;
    std::vector<std::pair<std::string, std::string>> entries;
  };
  std::vector<Section> sections_;
};

// True for the settings systemd parses without expanding '%' specifiers
// (resource limits, time spans, Restart=): "50%" must reach CPUQuota= as it is.
bool key_takes_literal_percent(std::string_view key);

// Fails for a value that cannot be written on one unit-file line as it is:
// control characters, or a trailing backslash.
Status check_unit_value(std::string_view value);

// "%" -> "%%", so systemd does not expand specifiers in the value.
std::string escape_specifiers(std::string_view value);

// One word of an Exec*= line: specifiers escaped, and C-escaped and
// double-quoted when it contains anything but safe characters.
std::string quote_exec_word(std::string_view word);

}  // namespace ctapp
