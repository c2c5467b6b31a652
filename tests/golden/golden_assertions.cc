// SPDX-License-Identifier: LGPL-2.1-or-later
#include "golden_assertions.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "core/atomic_file.h"

namespace ctapp {

namespace fs = std::filesystem;

std::vector<std::string> split_shell_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < line.size()) {
        word += line[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<std::string> unescape_c(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 == text.size()) return fail("'{}' ends with a lone backslash (write \\\\)", text);
    switch (char c = text[++i]) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case '\'': out += '\''; break;
      default:
        return fail("'{}': unknown escape '\\{}' (known: \\n \\t \\\\ \\\" \\')", text, c);
    }
  }
  return out;
}

namespace {

struct UnitEntry {
  std::string section, key, value;
};

std::vector<UnitEntry> parse_unit(const std::string& text) {
  std::vector<UnitEntry> entries;
  std::istringstream lines(text);
  std::string line, section;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    auto equals = line.find('=');
    if (equals != std::string::npos)
      entries.push_back({section, line.substr(0, equals), line.substr(equals + 1)});
  }
  return entries;
}

// Every path of the output tree, relative, sorted; symlinks as "PATH -> TARGET".
std::vector<std::string> list_tree(const fs::path& dir) {
  std::vector<std::string> listing;
  if (!fs::exists(dir)) return listing;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    auto relative = fs::relative(entry.path(), dir).string();
    if (entry.is_symlink()) {
      listing.push_back(relative + " -> " + fs::read_symlink(entry.path()).string());
    } else if (entry.is_regular_file()) {
      listing.push_back(relative);
    }
  }
  std::sort(listing.begin(), listing.end());
  return listing;
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// What `diff -ru` said, and whether it could say it: a diff that cannot run
// or ends with a status other than 0 (same) or 1 (different) is an error,
// never a match.
struct DiffResult {
  bool same = false;
  std::string output;  // the differences, or why diff failed
};

DiffResult run_diff(const fs::path& expected, const fs::path& actual) {
  std::string command = fmt::format("diff -ru --no-dereference {} {} 2>&1", shell_quote(expected.string()),
                                    shell_quote(actual.string()));
  DiffResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    result.output = fmt::format("cannot run '{}': {}", command, std::strerror(errno));
    return result;
  }
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
    result.output = fmt::format("'{}' failed ({}):\n{}", command,
                                status == -1 ? std::string(std::strerror(errno))
                                : WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                                    : fmt::format("signal {}", WTERMSIG(status)),
                                result.output);
    return result;
  }
  result.same = WEXITSTATUS(status) == 0;
  if (!result.same && result.output.empty()) result.output = "diff says the trees differ";
  return result;
}

class CaseChecker {
 public:
  CaseChecker(const std::string& app, bool is_dir_case, const GeneratorRun& run)
      : app_(app), is_dir_case_(is_dir_case), run_(run) {}

  // Returns an error text, or "" when the assertion holds. `raw` is the
  // line after "##": the *-contains operations take their TEXT from it
  // verbatim (quotes and all), the others take shell-split words.
  std::string check(const std::string& raw) {
    std::vector<std::string> words = split_shell_words(raw);
    if (words.empty()) return "empty assertion";
    bool invert = words[0].starts_with("!");
    std::string op = invert ? words[0].substr(1) : words[0];
    std::vector<std::string> args(words.begin() + 1, words.end());
    if (op.ends_with("-contains")) {
      auto start = raw.find(words[0]) + words[0].size();
      auto text = raw.substr(std::min(raw.size(), raw.find_first_not_of(" \t", start)));
      if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
        text = text.substr(1, text.size() - 2);
      auto unescaped = unescape_c(text);
      if (!unescaped) return unescaped.error().message;
      if (unescaped->empty()) return fmt::format("'{}' needs a TEXT (an empty one always matches)", op);
      args = {*unescaped};
    }
    using Check = bool (CaseChecker::*)(const std::vector<std::string>&, std::string&);
    static const std::map<std::string, Check> kOps = {
        {"assert-failed", &CaseChecker::failed},
        {"assert-exit", &CaseChecker::exit_code},
        {"assert-stderr-contains", &CaseChecker::stderr_contains},
        {"assert-key-is", &CaseChecker::key_is},
        {"assert-has-key", &CaseChecker::has_key},
        {"assert-symlink", &CaseChecker::symlink},
        {"assert-file-exists", &CaseChecker::file_exists},
        {"assert-file-mode", &CaseChecker::file_mode},
        {"assert-output-contains", &CaseChecker::output_contains},
    };
    auto it = kOps.find(op);
    if (it == kOps.end()) return fmt::format("unknown assertion '{}'", op);
    std::string detail;
    bool holds = (this->*(it->second))(args, detail);
    if (holds == !invert) return "";
    return detail.empty() ? "does not hold" : detail;
  }

 private:
  fs::path default_file() const { return fmt::format("ctapp@{}.service.d/50-ctapp.conf", app_); }

  // Splits off an optional leading FILE argument (it contains '/').
  bool take_file(std::vector<std::string>& args, fs::path& file, std::string& detail) {
    if (!args.empty() && args[0].find('/') != std::string::npos) {
      file = args[0];
      args.erase(args.begin());
      return true;
    }
    if (is_dir_case_) {
      detail = "directory cases must name the FILE of a key assertion";
      return false;
    }
    file = default_file();
    return true;
  }

  std::vector<std::string> values_of(const fs::path& file, const std::string& section,
                                     const std::string& key) {
    std::vector<std::string> values;
    for (const auto& entry : parse_unit(read_file(run_.output_dir / file).value_or("")))
      if (entry.section == section && entry.key == key) values.push_back(entry.value);
    return values;
  }

  // assert-failed [APP]: no drop-in and no .wants link for the app.
  bool failed(const std::vector<std::string>& args, std::string& detail) {
    std::string app = args.empty() ? app_ : args[0];
    std::string unit = fmt::format("ctapp@{}.service", app);
    for (const auto& path : list_tree(run_.output_dir)) {
      if (path.find(unit) != std::string::npos) {
        detail = fmt::format("app '{}' has generated files ({})", app, path);
        return false;
      }
    }
    return true;
  }

  bool exit_code(const std::vector<std::string>& args, std::string& detail) {
    detail = fmt::format("exit code is {}", run_.exit_code);
    return args.size() == 1 && std::to_string(run_.exit_code) == args[0];
  }

  bool stderr_contains(const std::vector<std::string>& args, std::string& detail) {
    const std::string& text = args[0];
    detail = "stderr was:\n" + run_.stderr_text;
    return run_.stderr_text.find(text) != std::string::npos;
  }

  bool key_is(const std::vector<std::string>& given, std::string& detail) {
    auto args = given;
    fs::path file;
    if (!take_file(args, file, detail) || args.size() < 2) {
      if (detail.empty()) detail = "usage: assert-key-is [FILE] SECTION KEY VALUE...";
      return false;
    }
    std::vector<std::string> expected(args.begin() + 2, args.end());
    auto values = values_of(file, args[0], args[1]);
    detail = fmt::format("{} [{}] {} has values: '{}'", file.string(), args[0], args[1],
                         fmt::join(values, "', '"));
    return values == expected;
  }

  bool has_key(const std::vector<std::string>& given, std::string& detail) {
    auto args = given;
    fs::path file;
    if (!take_file(args, file, detail) || args.size() != 2) {
      if (detail.empty()) detail = "usage: assert-has-key [FILE] SECTION KEY";
      return false;
    }
    auto values = values_of(file, args[0], args[1]);
    detail = fmt::format("{} [{}] {} has {} value(s)", file.string(), args[0], args[1],
                         values.size());
    return !values.empty();
  }

  bool symlink(const std::vector<std::string>& args, std::string& detail) {
    if (args.size() != 2) {
      detail = "usage: assert-symlink LINK TARGET";
      return false;
    }
    std::error_code error;
    auto target = fs::read_symlink(run_.output_dir / args[0], error);
    detail = error ? args[0] + " is not a symlink" : args[0] + " -> " + target.string();
    return !error && target == args[1];
  }

  bool file_exists(const std::vector<std::string>& args, std::string& detail) {
    detail = args.empty() ? "usage: assert-file-exists PATH" : args[0] + " exists";
    return args.size() == 1 && fs::exists(fs::symlink_status(run_.output_dir / args[0]));
  }

  bool file_mode(const std::vector<std::string>& args, std::string& detail) {
    struct stat st {};
    if (args.size() != 2 || ::lstat((run_.output_dir / args[0]).c_str(), &st) < 0) {
      detail = "usage: assert-file-mode PATH MODE (and PATH must exist)";
      return false;
    }
    detail = fmt::format("mode is {:04o}", st.st_mode & 07777);
    return std::strtoul(args[1].c_str(), nullptr, 8) == (st.st_mode & 07777);
  }

  bool output_contains(const std::vector<std::string>& args, std::string& detail) {
    const std::string& text = args[0];
    for (const auto& path : list_tree(run_.output_dir)) {
      if (path.find(" -> ") != std::string::npos) continue;
      if (read_file(run_.output_dir / path).value_or("").find(text) != std::string::npos) {
        detail = path + " contains '" + text + "'";
        return true;
      }
    }
    detail = "no generated file contains '" + text + "'";
    return false;
  }

  std::string app_;
  bool is_dir_case_;
  const GeneratorRun& run_;
};

std::string describe_output(const GeneratorRun& run) {
  std::string text = "generated files:\n";
  for (const auto& path : list_tree(run.output_dir)) {
    text += "---" + path + "---\n";
    if (path.find(" -> ") == std::string::npos) text += read_file(run.output_dir / path).value_or("");
  }
  return text + fmt::format("exit code: {}\nstderr:\n{}", run.exit_code, run.stderr_text);
}

std::string compare_with_expected(const GeneratorRun& run, const fs::path& expected_dir) {
  if (const char* update = std::getenv("CTAPP_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    // Under CI an update would make every case pass whatever the generator wrote.
    if (const char* ci = std::getenv("CI"); ci && *ci)
      return fmt::format("CTAPP_UPDATE_GOLDEN=1 is refused because CI is set ('{}'): regenerate "
                         "{} on a workstation and commit the reviewed diff",
                         ci, expected_dir.string());
    fs::remove_all(expected_dir);
    fs::create_directories(expected_dir);
    fs::copy(run.output_dir, expected_dir,
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    return "";
  }
  DiffResult diff = run_diff(expected_dir, run.output_dir);
  if (diff.same) return "";
  return fmt::format("output differs from {} (regenerate with CTAPP_UPDATE_GOLDEN=1 and review "
                     "the diff):\n{}",
                     expected_dir.string(), diff.output);
}

}  // namespace

CaseResult check_case(const std::string& app, bool is_dir_case, const fs::path& assertions_file,
                      const GeneratorRun& run, const fs::path& expected_dir) {
  CaseResult result;
  CaseChecker checker(app, is_dir_case, run);
  std::istringstream lines(read_file(assertions_file).value_or(""));
  std::string line;
  int assertions = 0;
  while (std::getline(lines, line)) {
    if (!line.starts_with("##")) continue;
    ++assertions;
    std::string error = checker.check(line.substr(2));
    if (!error.empty())
      result.failures.push_back(fmt::format("Failed assertion for {}: {}\n{}\n\n{}",
                                            assertions_file.string(), line, error,
                                            describe_output(run)));
  }
  if (assertions == 0 && expected_dir.empty())
    result.failures.push_back(fmt::format(
        "{} has no '## assert-...' line and no .expected/ tree beside it: it would pass whatever "
        "the generator does; add an assertion",
        assertions_file.string()));
  if (!expected_dir.empty())
    if (auto difference = compare_with_expected(run, expected_dir); !difference.empty())
      result.failures.push_back(difference);
  return result;
}

}  // namespace ctapp
