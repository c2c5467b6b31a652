// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/atomic_file.h"

#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/test_temp_dir.h"

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

}  // namespace
}  // namespace ctapp
