// SPDX-License-Identifier: LGPL-2.1-or-later
#include "userns/app_idmap.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

using ::testing::HasSubstr;

class AppIdMapTest : public ::testing::Test {
 protected:
  AppIdMapTest() {
    paths_.root = root_.path();
    app_.name = "kv";
    app_.image = "oci:/srv/images:kv";
  }
  TestTempDir root_;
  Paths paths_;
  AppConfig app_;
};

TEST_F(AppIdMapTest, HostMeansNoUserNamespace) {
  auto map = app_id_map(paths_, app_);
  ASSERT_TRUE(map);
  EXPECT_FALSE(map->enabled);
  EXPECT_FALSE(map->shift.active());
}

TEST_F(AppIdMapTest, AutoMapsTheAppsRangeAndShiftsTheRootfsToIt) {
  app_.run.user_namespace = UserNamespaceMode::kAuto;
  auto map = app_id_map(paths_, app_);
  ASSERT_TRUE(map);
  ASSERT_EQ(map->uid_map.size(), 1u);
  EXPECT_EQ(map->uid_map[0].container_id, 0u);
  EXPECT_EQ(map->uid_map[0].host_id, 0x70000000u);
  EXPECT_EQ(map->uid_map[0].size, 65536u);
  EXPECT_EQ(map->gid_map[0].host_id, 0x70000000u);
  EXPECT_EQ(map->shift.offset, 0x70000000u);
  EXPECT_EQ(map->shift.size, 65536u);
}

TEST_F(AppIdMapTest, AnExplicitUidMapServesForGidsAndShiftsByWhereRootGoes) {
  app_.run.uid_map = {{0, 200000, 1000}, {1000, 300000, 64536}};
  auto map = app_id_map(paths_, app_);
  ASSERT_TRUE(map);
  EXPECT_TRUE(map->enabled);
  EXPECT_EQ(map->gid_map.size(), 2u);
  EXPECT_EQ(map->shift.offset, 200000u);
  EXPECT_EQ(map->shift.size, 1000u);
}

TEST_F(AppIdMapTest, MapsThatPutRootInDifferentPlacesAreRefused) {
  app_.run.uid_map = {{0, 200000, 65536}};
  app_.run.gid_map = {{0, 300000, 65536}};
  auto map = app_id_map(paths_, app_);
  ASSERT_FALSE(map);
  EXPECT_THAT(map.error().message, HasSubstr("must both map container id 0, to the same host id"));
}

TEST_F(AppIdMapTest, ARootfsDirectoryCannotBeShifted) {
  app_.image.clear();
  app_.rootfs = "/srv/kv";
  app_.run.user_namespace = UserNamespaceMode::kAuto;
  auto map = app_id_map(paths_, app_);
  ASSERT_FALSE(map);
  EXPECT_THAT(map.error().message, HasSubstr("a user namespace needs an image"));
}

}  // namespace
}  // namespace ctapp
