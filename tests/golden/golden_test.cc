// SPDX-License-Identifier: LGPL-2.1-or-later
// Golden tests for ctapp-generator: each case under cases/ is run through the
// real generator binary, then checked by its "## assert-..." lines and, when
// NAME.expected/ exists beside it, compared byte for byte with that tree.
// The format is described in tests/golden/README.md.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/atomic_file.h"
#include "core/test_temp_dir.h"
#include "golden_assertions.h"

extern char** environ;

namespace ctapp {
namespace {

namespace fs = std::filesystem;

fs::path cases_dir() { return std::getenv("CTAPP_GOLDEN_CASES"); }
fs::path generator_binary() { return std::getenv("CTAPP_GENERATOR"); }

struct GoldenCase {
  std::string name;  // case name, also the default app name
  fs::path path;     // NAME.ctapp or NAME/
  bool is_dir() const { return fs::is_directory(path); }
};

std::vector<GoldenCase> scan_cases() {
  std::vector<GoldenCase> cases;
  if (cases_dir().empty()) return cases;
  for (const auto& entry : fs::directory_iterator(cases_dir())) {
    auto name = entry.path().filename().string();
    if (name.ends_with(".expected")) continue;
    if (name.ends_with(".ctapp")) {
      cases.push_back({name.substr(0, name.size() - 6), entry.path()});
    } else if (entry.is_directory()) {
      cases.push_back({name, entry.path()});
    }
  }
  std::sort(cases.begin(), cases.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return cases;
}

// Copies the case into ROOT/etc/containers.d etc. the way an operator's
// machine would have it.
void lay_out_case(const GoldenCase& golden, const fs::path& root) {
  auto etc = root / "etc/containers.d";
  fs::create_directories(etc);
  if (!golden.is_dir()) {
    fs::copy_file(golden.path, etc / golden.path.filename());
    return;
  }
  const std::pair<const char*, const char*> kTrees[] = {
      {"etc", "etc/containers.d"}, {"run", "run/containers.d"},
      {"usr-lib", "usr/lib/containers.d"}, {"root", "root"}};
  for (auto [from, to] : kTrees) {
    if (!fs::exists(golden.path / from)) continue;
    fs::create_directories(root / to);
    fs::copy(golden.path / from, root / to,
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

GeneratorRun run_generator(const GoldenCase& golden, const fs::path& work) {
  GeneratorRun run;
  fs::path root = work / "case";
  lay_out_case(golden, root);
  run.output_dir = work / "out";
  fs::create_directories(run.output_dir);
  std::vector<std::string> env_strings;
  for (char** env = environ; *env; ++env) {
    std::string_view entry = *env;
    if (entry.starts_with("SYSTEMD_SCOPE=") || entry.starts_with("CTAPP_")) continue;
    env_strings.emplace_back(entry);
  }
  env_strings.push_back(fmt::format("CTAPP_CONFIG_PATH={0}/etc/containers.d:{0}/run/containers.d:"
                                    "{0}/usr/lib/containers.d",
                                    root.string()));
  env_strings.push_back("CTAPP_ROOT=" + (root / "root").string());
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string binary = generator_binary().string();
  std::string out = run.output_dir.string();
  std::vector<char*> argv = {binary.data(), out.data(), out.data(), out.data(), nullptr};
  auto stderr_path = work / "stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = 0;
  int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    run.exit_code = -1;
    run.stderr_text = "cannot start " + binary;
    return run;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // Paths in the output are made machine-independent: the case root becomes "/".
  run.stderr_text = replace_all(read_file(stderr_path).value_or(""), root.string(), "");
  // Generated files name their source path; strip the case root there too.
  for (const auto& entry : fs::recursive_directory_iterator(run.output_dir)) {
    if (entry.is_symlink() || !entry.is_regular_file()) continue;
    auto text = read_file(entry.path()).value_or("");
    auto normalised = replace_all(text, root.string(), "");
    if (normalised != text) {
      auto mode = fs::status(entry.path()).permissions();
      std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << normalised;
      fs::permissions(entry.path(), mode);
    }
  }
  return run;
}

void PrintTo(const GoldenCase& golden, std::ostream* out) { *out << golden.path; }

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, GeneratorOutputMatches) {
  const GoldenCase& golden = GetParam();
  TestTempDir work;
  GeneratorRun run = run_generator(golden, work.path());
  auto assertions = golden.is_dir() ? golden.path / "assertions" : golden.path;
  auto expected_dir = golden.path.parent_path() / (golden.name + ".expected");
  CaseResult result = check_case(golden.name, golden.is_dir(), assertions, run,
                                 fs::exists(expected_dir) ? expected_dir : fs::path());
  bool must_fail = golden.name.starts_with("selftest-");
  if (must_fail) {
    EXPECT_FALSE(result.failures.empty())
        << "self-test case " << golden.path << " must fail, but every assertion held";
  } else {
    for (const auto& failure : result.failures) ADD_FAILURE() << failure;
  }
}

std::string case_test_name(const ::testing::TestParamInfo<GoldenCase>& info) {
  std::string name = info.param.name;
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::ValuesIn(scan_cases()), case_test_name);

TEST(GoldenRunner, FindsCases) {
  ASSERT_FALSE(cases_dir().empty()) << "CTAPP_GOLDEN_CASES is not set";
  EXPECT_GE(scan_cases().size(), 10u);
}


TEST(GoldenRunner, ContainsTextTakesCEscapes) {
  EXPECT_EQ(unescape_c("a\\nb\\tc\\\\d\\\"e").value_or("?"), "a\nb\tc\\d\"e");
  auto unknown = unescape_c("x\\qy");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown escape '\\q'"), std::string::npos)
      << unknown.error().message;
  EXPECT_FALSE(unescape_c("trailing\\"));
}

// Sets an environment variable for one test and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A case with one holding assertion and an .expected/ tree, for the runner
// tests below.
struct RunnerFixture {
  TestTempDir dir;
  fs::path assertions = dir.path() / "case.ctapp";
  fs::path expected = dir.path() / "case.expected";
  GeneratorRun run;
  RunnerFixture() {
    run.output_dir = dir.path() / "out";
    fs::create_directories(run.output_dir);
    fs::create_directories(expected);
    std::ofstream(assertions) << "## assert-exit 0\n";
    std::ofstream(run.output_dir / "unit.conf") << "generated\n";
    std::ofstream(expected / "unit.conf") << "expected\n";
  }
};

TEST(GoldenRunner, ADiffThatFailsSilentlyIsAFailureNotAMatch) {
  RunnerFixture fixture;
  std::ofstream(fixture.expected / "unit.conf", std::ios::trunc) << "generated\n";
  fs::path bin = fixture.dir.path() / "bin";
  fs::create_directories(bin);
  std::ofstream(bin / "diff") << "#!/bin/sh\nexit 2\n";
  fs::permissions(bin / "diff", fs::perms::owner_all);
  ScopedEnv path("PATH", bin.string() + ":/usr/bin:/bin");
  CaseResult result = check_case("case", false, fixture.assertions, fixture.run, fixture.expected);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_NE(result.failures[0].find("failed (exit status 2)"), std::string::npos) << result.failures[0];
}

TEST(GoldenRunner, UpdateModeIsRefusedUnderCi) {
  RunnerFixture fixture;
  ScopedEnv update("CTAPP_UPDATE_GOLDEN", "1");
  ScopedEnv ci("CI", "true");
  CaseResult result = check_case("case", false, fixture.assertions, fixture.run, fixture.expected);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_NE(result.failures[0].find("CTAPP_UPDATE_GOLDEN=1 is refused because CI is set"),
            std::string::npos)
      << result.failures[0];
  EXPECT_EQ(read_file(fixture.expected / "unit.conf").value_or(""), "expected\n")
      << "the expected tree was rewritten";
}

TEST(GoldenRunner, ACaseWithoutAssertionsOrExpectedTreeFails) {
  RunnerFixture fixture;
  std::ofstream(fixture.assertions, std::ios::trunc) << "image = \"busybox\"\n";
  CaseResult result = check_case("case", false, fixture.assertions, fixture.run, fs::path());
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_NE(result.failures[0].find("has no '## assert-...' line"), std::string::npos)
      << result.failures[0];
}

}  // namespace
}  // namespace ctapp
