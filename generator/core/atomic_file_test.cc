// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/test_temp_dir.h"
#include "core/unique_fd.h"

namespace ctapp {
namespace {

TEST(AtomicFile, WritesContentWithTheRequestedModeDespiteUmask) {
  TestTempDir dir;
  auto path = dir.path() / "secret.conf";
  mode_t old_umask = ::umask(0077);
  ASSERT_TRUE(write_file_atomic(path, "a=b\n", {.mode = 0644}));
  ::umask(old_umask);
  EXPECT_EQ(*read_file(path), "a=b\n");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST(AtomicFile, ReplacesAnExistingFileAndLeavesNoTemporary) {
  TestTempDir dir;
  auto path = dir.path() / "unit.conf";
  ASSERT_TRUE(write_file_atomic(path, "old"));
  ASSERT_TRUE(write_file_atomic(path, "new"));
  EXPECT_EQ(*read_file(path), "new");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(AtomicFile, ExclusiveWriteRefusesAnExistingFile) {
  TestTempDir dir;
  auto path = dir.path() / "a";
  ASSERT_TRUE(write_file_atomic(path, "first", {.exclusive = true}));
  auto second = write_file_atomic(path, "second", {.exclusive = true});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message, "'" + path.string() + "' already exists");
  EXPECT_EQ(*read_file(path), "first");
}

TEST(AtomicFile, FailureNamesThePath) {
  auto result = write_file_atomic("/nonexistent-dir/x", "a");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("/nonexistent-dir/x"), std::string::npos);
  EXPECT_NE(result.error().message.find("No such file or directory"), std::string::npos);
}

TEST(AtomicFile, ReadRefusesFilesOverTheLimit) {
  TestTempDir dir;
  auto path = dir.path() / "big";
  ASSERT_TRUE(write_file_atomic(path, std::string(100, 'x')));
  EXPECT_FALSE(read_file(path, 10));
}

TEST(AtomicFile, ReadReturnsWholeFilesOfEverySize) {
  TestTempDir dir;
  for (size_t size : {size_t{0}, size_t{1}, size_t{4095}, size_t{65536}, size_t{200000}}) {
    auto path = dir.path() / ("f" + std::to_string(size));
    std::string content(size, 'x');
    if (size > 0) content.back() = 'y';
    ASSERT_TRUE(write_file_atomic(path, content));
    auto text = read_file(path);
    ASSERT_TRUE(text) << size;
    EXPECT_EQ(*text, content) << size;
  }
}

TEST(AtomicFile, ReadsFilesThatReportNoSize) {
  auto text = read_file("/proc/self/status");
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("Name:"), std::string::npos);
  EXPECT_NE(text->find("VmHWM:"), std::string::npos);  // near the end
}

TEST(InPlaceFile, WritesAndReplacesWithTheRequestedModeAndNoOtherFile) {
  TestTempDir dir;
  UniqueFd dir_fd(::open(dir.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir_fd.valid());
  mode_t old_umask = ::umask(0077);
  ASSERT_TRUE(write_file_in_place(dir_fd.get(), dir.path(), "unit.conf", "a longer old text\n"));
  ::umask(old_umask);
  ASSERT_TRUE(write_file_in_place(dir_fd.get(), dir.path(), "unit.conf", "new\n"));
  EXPECT_EQ(*read_file(dir.path() / "unit.conf"), "new\n");
  struct stat st;
  ASSERT_EQ(::stat((dir.path() / "unit.conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(InPlaceFile, RefusesToFollowASymlinkAndNamesThePath) {
  TestTempDir dir;
  std::filesystem::create_symlink(dir.path() / "elsewhere", dir.path() / "unit.conf");
  UniqueFd dir_fd(::open(dir.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  auto result = write_file_in_place(dir_fd.get(), dir.path(), "unit.conf", "x");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find((dir.path() / "unit.conf").string()), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "elsewhere"));
}

struct stat stat_of(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

TEST(AtomicFile, IfChangedLeavesAnIdenticalFileAlone) {
  TestTempDir dir;
  auto path = dir.path() / "config.json";
  ASSERT_EQ(write_file_if_changed(path, "{}\n", {.mode = 0600}), true);
  struct stat before = stat_of(path);
  // Backdated: a rewrite would show as a new mtime even within one clock tick.
  struct timespec old_times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), old_times, 0), 0);
  ASSERT_EQ(write_file_if_changed(path, "{}\n", {.mode = 0600}), false);
  struct stat after = stat_of(path);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtim.tv_sec, 1000);
}

TEST(AtomicFile, IfChangedRewritesOtherContentModeOrALink) {
  TestTempDir dir;
  auto path = dir.path() / "config.json";
  ASSERT_TRUE(write_file_if_changed(path, "one", {.mode = 0600}));
  ASSERT_EQ(write_file_if_changed(path, "two", {.mode = 0600}), true);
  EXPECT_EQ(*read_file(path), "two");
  ASSERT_EQ(write_file_if_changed(path, "two", {.mode = 0644}), true);
  EXPECT_EQ(stat_of(path).st_mode & 07777, 0644u);
  auto target = dir.path() / "elsewhere";
  ASSERT_TRUE(write_file_atomic(target, "two", {.mode = 0644}));
  std::filesystem::remove(path);
  std::filesystem::create_symlink(target, path);
  ASSERT_EQ(write_file_if_changed(path, "two", {.mode = 0644}), true);
  EXPECT_TRUE(S_ISREG(stat_of(path).st_mode));
}

}  // namespace
}  // namespace ctapp
