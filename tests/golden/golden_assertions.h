// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace ctapp {

// What one run of ctapp-generator produced for a golden case.
struct GeneratorRun {
  std::filesystem::path output_dir;
  int exit_code = 0;
  // The case root is stripped from paths in stderr and in the files, so
  // they read as on a real machine (/etc/containers.d/NAME.ctapp).
  std::string stderr_text;
};

struct CaseResult {
  std::vector<std::string> failures;  // one message per failed check
};

// Checks every "## [!]assert-OP ARGS..." line of `assertions_file` against
// `run`, and, if `expected_dir` is not empty, compares the output tree with it
// (or rewrites it when CTAPP_UPDATE_GOLDEN=1). An unknown operation is a
// failure. `app` is the app whose drop-in is the default FILE of key checks
// (single-file cases only).
CaseResult check_case(const std::string& app, bool is_dir_case,
                      const std::filesystem::path& assertions_file, const GeneratorRun& run,
                      const std::filesystem::path& expected_dir);

// The TEXT of an *-contains assertion with C-like escapes processed:
// \n, \t, \\, \", \'. Any other escape is an error, never a literal.
Result<std::string> unescape_c(const std::string& text);

// Splits an assertion line into words with shell quoting rules ('…', "…", \).
std::vector<std::string> split_shell_words(const std::string& line);

}  // namespace ctapp
