// SPDX-License-Identifier: LGPL-2.1-or-later
// The .ctapp parser and the unit renderer on arbitrary text. Invariants: no
// crash or exception; and when a file is accepted, the drop-in systemd would
// read from it holds exactly the entries ctapp meant to write: no value can
// add a line, continue one, or open a section.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/app_config_parser.h"
#include "core/unit_renderer.h"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

// systemd's reading of a unit file: a line ending in an unescaped backslash
// continues on the next one (conf-parser.c).
std::vector<std::string> logical_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::string current;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    bool escaped = false;
    for (char c : line) escaped = !escaped && c == '\\';
    current += line;
    if (escaped) {
      current.back() = ' ';
      continue;
    }
    lines.push_back(std::move(current));
    current.clear();
  }
  if (!current.empty()) lines.push_back(std::move(current));
  return lines;
}

size_t entry_count(const ctapp::UnitFile& unit) { return unit.entry_count(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto app = ctapp::parse_app_text("fuzz", "/etc/containers.d/fuzz.ctapp", text);
  if (!app) {
    for (const auto& diagnostic : app.error()) check(!diagnostic.message.empty());
    return 0;
  }
  for (bool needs_pull : {false, true}) {
    auto rendered = ctapp::render_app(*app, needs_pull);
    if (!rendered) continue;  // refused at the sink: nothing written
    size_t entries = 0;
    for (const std::string& line : logical_lines(rendered->dropin_text)) {
      for (char c : line) check(c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f));
      if (line.empty() || line.front() == '#') continue;
      if (line.front() == '[') {
        check(line == "[Unit]" || line == "[Service]");
        continue;
      }
      check(line.find('=') != std::string::npos);
      ++entries;
    }
    check(entries == entry_count(rendered->unit));
  }
  return 0;
}
