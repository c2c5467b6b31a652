// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/temp_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

bool file_exists(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::exists(path, error);
}

TEST(TempFile, IsRemovedUnlessKept) {
  TestTempDir dir;
  std::filesystem::path removed, kept;
  {
    auto temp = TempFile::create(dir.path(), "pull");
    ASSERT_TRUE(temp) << temp.error().message;
    removed = temp->path();
    EXPECT_TRUE(file_exists(removed));
  }
  EXPECT_FALSE(file_exists(removed));
  {
    auto temp = TempFile::create(dir.path(), "pull");
    ASSERT_TRUE(temp);
    kept = dir.path() / "blob";
    ASSERT_EQ(::rename(temp->path().c_str(), kept.c_str()), 0);
    temp->keep();
  }
  EXPECT_TRUE(file_exists(kept));
}

TEST(TempFile, NamesAreUniquePerTransfer) {
  TestTempDir dir;
  auto first = TempFile::create(dir.path(), "pull");
  auto second = TempFile::create(dir.path(), "pull");
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->path(), second->path());
}

TEST(TempFile, SweepRemovesLeftoversOfDeadProcessesButNotLiveTemps) {
  TestTempDir dir;
  std::ofstream(dir.path() / "pull-0123456789abcdef-99999") << "left by a killed pull";
  std::ofstream(dir.path() / "import-0123456789abcdef-99999") << "left by a killed import";
  std::ofstream(dir.path() / "index.lock") << "";
  auto live = TempFile::create(dir.path(), "pull");
  ASSERT_TRUE(live);
  ASSERT_TRUE(sweep_stale_temp_files(dir.path(), {"pull", "import", "manifest"}));
  EXPECT_FALSE(file_exists(dir.path() / "pull-0123456789abcdef-99999"));
  EXPECT_FALSE(file_exists(dir.path() / "import-0123456789abcdef-99999"));
  EXPECT_TRUE(file_exists(dir.path() / "index.lock"));
  EXPECT_TRUE(file_exists(live->path()));
}

// An oci-archive extraction killed halfway leaves a directory; the next
// pull removes it, but never one a live extraction holds.
TEST(TempDir, SweepRemovesDirectoriesOfDeadProcessesButNotLiveOnes) {
  TestTempDir dir;
  std::filesystem::create_directories(dir.path() / "archive-ab12cd" / "blobs" / "sha256");
  std::ofstream(dir.path() / "archive-ab12cd" / "index.json") << "{}";
  auto live = TempDir::create(dir.path(), "archive");
  ASSERT_TRUE(live);
  std::ofstream(live->path() / "index.json") << "{}";
  ASSERT_TRUE(sweep_stale_temp_files(dir.path(), {"archive"}));
  EXPECT_FALSE(file_exists(dir.path() / "archive-ab12cd"));
  EXPECT_TRUE(file_exists(live->path() / "index.json"));
  auto gone = live->path();
  { TempDir moved = std::move(*live); }
  EXPECT_FALSE(file_exists(gone));
}

}  // namespace
}  // namespace ctapp
