// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/app_versions.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');

TEST(AppVersions, DirectoryNamesKeepAppTagAndDigestApart) {
  EXPECT_EQ(version_dir_name("web", "1.0", kDigestA, 0), "web-1.0-aaaaaaaaaaaa");
  EXPECT_NE(version_dir_name("web", "1.0", kDigestA, 0), version_dir_name("web", "1.0", kDigestB, 0));
  EXPECT_EQ(version_dir_name("web", "1.0", kDigestA, 165536), "web-1.0-aaaaaaaaaaaa-u165536");
  // A digest-only reference's version is already the digest prefix.
  EXPECT_EQ(version_dir_name("web", "aaaaaaaaaaaa", kDigestA, 0), "web-aaaaaaaaaaaa");
}

TEST(AppVersions, MakeCurrentMovesAVersionFirstOnce) {
  AppVersions record;
  AppVersion v1{"web-1.0-aaaaaaaaaaaa", kDigestA, "reg/web:1.0"};
  AppVersion v2{"web-1.0-bbbbbbbbbbbb", kDigestB, "reg/web:1.0"};
  record.make_current(v1);
  record.make_current(v2);
  ASSERT_EQ(record.versions.size(), 2u);
  EXPECT_EQ(*record.current(), v2);
  record.make_current(v1);
  ASSERT_EQ(record.versions.size(), 2u);
  EXPECT_EQ(*record.current(), v1);
  EXPECT_EQ(record.versions[1], v2);
  EXPECT_EQ(*record.latest_for("reg/web:1.0"), v1);
  EXPECT_EQ(record.latest_for("reg/web:2.0"), nullptr);
}

TEST(AppVersions, WrittenRecordReadsBack) {
  TestTempDir dir;
  Paths paths;
  paths.root = dir.path();
  std::filesystem::create_directories(paths.versions_dir());
  AppVersions record;
  record.make_current({"web-1.0-aaaaaaaaaaaa", kDigestA, "reg/web:1.0"});
  record.make_current({"web-2.0-bbbbbbbbbbbb", kDigestB, "reg/web:2.0"});
  ASSERT_TRUE(write_app_versions(paths, "web", record));
  auto read = read_app_versions(paths, "web");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->versions, record.versions);
  struct stat st;
  ASSERT_EQ(::stat(app_versions_file(paths, "web").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(AppVersions, MissingRecordIsEmpty) {
  TestTempDir dir;
  Paths paths;
  paths.root = dir.path();
  auto read = read_app_versions(paths, "web");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_TRUE(read->versions.empty());
}

TEST(AppVersions, CorruptLinesFailNamingFileAndLine) {
  auto bad = parse_app_versions("# c\nweb-1.0 sha256:zz reg/web:1.0\n", "/v/web");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "/v/web:2: 'web-1.0 sha256:zz reg/web:1.0' is not 'DIR DIGEST REFERENCE'; remove the "
            "file to forget the versions");
  auto escape = parse_app_versions("../etc " + kDigestA + " reg/web:1.0\n", "/v/web");
  EXPECT_FALSE(escape);
  auto short_line = parse_app_versions("web-1.0\n", "/v/web");
  ASSERT_FALSE(short_line);
  EXPECT_EQ(short_line.error().message,
            "/v/web:1: expected 'DIR DIGEST REFERENCE'; remove the file to forget the versions");
}

}  // namespace
}  // namespace ctapp
