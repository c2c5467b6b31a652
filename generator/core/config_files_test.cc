// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/config_files.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/atomic_file.h"
#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

using ::testing::ElementsAre;

class ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto dir : {"etc", "run", "lib"}) std::filesystem::create_directories(root_.path() / dir);
  }
  std::filesystem::path dir(const char* name) { return root_.path() / name; }
  void write(const std::filesystem::path& path, std::string_view text = "image = \"b\"\n") {
    std::filesystem::create_directories(path.parent_path());
    ASSERT_TRUE(write_file_atomic(path, text));
  }
  std::vector<std::filesystem::path> dirs() { return {dir("etc"), dir("run"), dir("lib")}; }

  TestTempDir root_;
};

TEST_F(ConfigFiles, EtcWinsOverRunWinsOverUsrLib) {
  write(dir("lib") / "a.ctapp");
  write(dir("run") / "a.ctapp");
  write(dir("etc") / "a.ctapp");
  write(dir("lib") / "b.ctapp");
  write(dir("run") / "b.ctapp");
  auto found = find_apps(dirs());
  ASSERT_EQ(found.apps.size(), 2u);
  EXPECT_EQ(found.apps[0].main_file, dir("etc") / "a.ctapp");
  EXPECT_EQ(found.apps[1].main_file, dir("run") / "b.ctapp");
  EXPECT_TRUE(found.problems.empty());
}

TEST_F(ConfigFiles, EmptyFileOrDevNullSymlinkMasksTheApp) {
  write(dir("lib") / "a.ctapp");
  write(dir("lib") / "b.ctapp");
  write(dir("etc") / "a.ctapp", "");
  ASSERT_EQ(::symlink("/dev/null", (dir("etc") / "b.ctapp").c_str()), 0);
  EXPECT_TRUE(find_apps(dirs()).apps.empty());
  EXPECT_FALSE(find_app(dirs(), "a"));
}

TEST_F(ConfigFiles, EmptyFilesMaskWhenReadWithTheGeneratorsCheck) {
  write(dir("lib") / "a.ctapp");
  write(dir("lib") / "b.ctapp");
  write(dir("etc") / "a.ctapp", "");
  write(dir("etc") / "c.ctapp");
  ASSERT_EQ(::symlink("/dev/null", (dir("etc") / "b.ctapp").c_str()), 0);
  auto found = find_apps(dirs(), EmptyFileCheck::kWhenRead);
  ASSERT_EQ(found.apps.size(), 2u);
  EXPECT_EQ(found.apps[0].main_file, dir("etc") / "a.ctapp");  // still hides lib/a.ctapp
  auto masked = parse_app(found.apps[0]);
  ASSERT_FALSE(masked);
  EXPECT_TRUE(masked.error().empty());
  EXPECT_EQ(found.apps[1].main_file, dir("etc") / "c.ctapp");
  EXPECT_TRUE(parse_app(found.apps[1]));
}

TEST_F(ConfigFiles, DropinsComeFromAllDirsInFileNameOrder) {
  write(dir("lib") / "a.ctapp");
  write(dir("lib") / "a.ctapp.d" / "20-late.conf");
  write(dir("etc") / "a.ctapp.d" / "10-early.conf");
  write(dir("run") / "a.ctapp.d" / "20-late.conf");
  write(dir("etc") / "a.ctapp.d" / "ignored.txt");
  auto app = find_app(dirs(), "a");
  ASSERT_TRUE(app);
  EXPECT_THAT(app->dropins, ElementsAre(dir("etc") / "a.ctapp.d" / "10-early.conf",
                                        dir("run") / "a.ctapp.d" / "20-late.conf"));
}

TEST_F(ConfigFiles, DropinValuesReplaceAndVolumesAppend) {
  write(dir("etc") / "a.ctapp", "image = \"app:1\"\n[[volume]]\ntarget = \"/a\"\n");
  write(dir("etc") / "a.ctapp.d" / "10-upgrade.conf", "image = \"app:2\"\n[[volume]]\ntarget = \"/b\"\n");
  auto app = parse_app(*find_app(dirs(), "a"));
  ASSERT_TRUE(app);
  EXPECT_EQ(app->image, "app:2");
  ASSERT_EQ(app->volumes.size(), 2u);
  EXPECT_EQ(app->volumes[1].target, "/b");
}

TEST_F(ConfigFiles, MissingDirectoriesAreNotAProblem) {
  auto found = find_apps({root_.path() / "nope"});
  EXPECT_TRUE(found.apps.empty());
  EXPECT_TRUE(found.problems.empty());
}

TEST_F(ConfigFiles, AppNamesWithPathSeparatorsAreNeverLookedUp) {
  write(root_.path() / "x.ctapp");
  EXPECT_FALSE(find_app({dir("etc")}, "../x"));
}

TEST_F(ConfigFiles, CheckFileNeedsTheCtappSuffix) {
  EXPECT_EQ(app_source_for_file("/tmp/app.toml").error().message,
            "'/tmp/app.toml': the file name must be NAME.ctapp");
  EXPECT_EQ(app_source_for_file("/tmp/web.ctapp")->name, "web");
}

}  // namespace
}  // namespace ctapp
