// SPDX-License-Identifier: LGPL-2.1-or-later
#include "process/process.h"

#include <signal.h>

#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(RunProcess, PassesStdinAndCapturesStdout) {
  auto result = run_process({"sh", "-c", "cat; exit 3"},
                            {.capture_stdout = true, .stdin_text = std::string("hello\n")});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->stdout_text, "hello\n");
}

TEST(RunProcess, ALargeInputThatIsNotReadIsNoSigpipe) {
  auto result = run_process({"true"}, {.stdin_text = std::string(1 << 20, 'x'), .timeout = 10s});
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->exit_code, 0);
}

TEST(RunProcess, AChildThatNeverExitsIsKilledWithItsProcessGroupAtTheTimeout) {
  TestTempDir dir;
  auto pid_file = dir.path() / "grandchild";
  auto started = std::chrono::steady_clock::now();
  // The grandchild `sleep` keeps stdout open: the whole group must go.
  auto result = run_process({"sh", "-c", "sleep 1000 & echo $! > \"$0\"; wait", pid_file.string()},
                            {.capture_stdout = true, .timeout = 500ms});
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("'sh' did not finish within 0.5 s; killed it"));
  EXPECT_LT(took, 5s);
  auto grandchild = read_file(pid_file, 64);
  ASSERT_TRUE(grandchild);
  pid_t pid = std::stoi(*grandchild);
  // Gone, or a zombie waiting for whoever reaps orphans here.
  auto gone = [&] {
    auto stat = read_file(fmt::format("/proc/{}/stat", pid), 4096);
    return !stat || stat->find(") Z ") != std::string::npos;
  };
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!gone() && std::chrono::steady_clock::now() < deadline) ::usleep(20000);
  EXPECT_TRUE(gone()) << "the grandchild " << pid << " outlived the timeout";
  if (!gone()) ::kill(pid, SIGKILL);
}

TEST(RunProcess, AnExitedChildWhoseGrandchildKeepsStdoutDoesNotHangUs) {
  auto result = run_process({"sh", "-c", "echo out; sleep 1000 & echo $!; exit 0"},
                            {.capture_stdout = true, .timeout = 20s});
  ASSERT_TRUE(result) << result.error().message;
  auto lines = result->stdout_text;
  ASSERT_TRUE(lines.starts_with("out\n")) << lines;
  pid_t grandchild = std::stoi(lines.substr(4));
  ASSERT_GT(grandchild, 1);
  ::kill(grandchild, SIGKILL);
}

TEST(RunProcess, TooMuchOutputIsAnError) {
  auto result = run_process({"sh", "-c", "head -c 100000 /dev/zero"},
                            {.capture_stdout = true, .timeout = 20s, .max_stdout = 1000});
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("wrote more than 1000 bytes"));
}

TEST(SpawnProcess, TheChildStartsWithDefaultSignalsWhateverTheParentIgnores) {
  // A shell starts `ctapp &` with SIGINT and SIGQUIT ignored; anything
  // else may be ignored too by whoever started us.
  const int ignored[] = {SIGINT, SIGQUIT, SIGALRM, SIGXFSZ, SIGWINCH};
  struct sigaction ignore {}, old[5];
  ignore.sa_handler = SIG_IGN;
  for (int i = 0; i < 5; ++i) ::sigaction(ignored[i], &ignore, &old[i]);
  auto result = run_process({"grep", "SigIgn", "/proc/self/status"}, {.capture_stdout = true});
  for (int i = 0; i < 5; ++i) ::sigaction(ignored[i], &old[i], nullptr);
  ASSERT_TRUE(result) << result.error().message;
  auto mask = std::stoull(result->stdout_text.substr(result->stdout_text.find(':') + 1), nullptr, 16);
  for (int signal : ignored)
    EXPECT_EQ(mask & (1ULL << (signal - 1)), 0u) << "signal " << signal << " is still ignored";
}

}  // namespace
}  // namespace ctapp
