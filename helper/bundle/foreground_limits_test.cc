// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bundle/foreground_limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include <fmt/format.h>

#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

using ::testing::HasSubstr;

constexpr MachineSize kMachine{.memory_bytes = 8ull << 30, .tasks = 4194304};

ForegroundLimits limits_of(std::string memory_max, std::string tasks_max) {
  ResourceSettings resources;
  resources.memory_max = std::move(memory_max);
  resources.tasks_max = std::move(tasks_max);
  auto limits = foreground_limits(resources, kMachine);
  EXPECT_TRUE(limits) << limits.error().message;
  return limits ? *limits : ForegroundLimits{};
}

TEST(ForegroundLimits, SizesAndCountsAreReadAsSystemdReadsThem) {
  EXPECT_EQ(limits_of("512M", "64").memory_bytes, 512ll << 20);
  EXPECT_EQ(limits_of("512M", "64").pids, 64);
  EXPECT_EQ(limits_of("1.5G", "").memory_bytes, 3ll << 29);
  EXPECT_EQ(limits_of("1048576", "").memory_bytes, 1048576);
  EXPECT_EQ(limits_of("2K", "").memory_bytes, 2048);
  EXPECT_EQ(limits_of("25%", "10%").memory_bytes, 2ll << 30);
  EXPECT_EQ(limits_of("25%", "10%").pids, 419430);
}

TEST(ForegroundLimits, NothingSetOrInfinityIsNoLimit) {
  EXPECT_FALSE(limits_of("", "").memory_bytes);
  EXPECT_FALSE(limits_of("", "").pids);
  EXPECT_FALSE(limits_of("infinity", "infinity").memory_bytes);
  EXPECT_FALSE(limits_of("infinity", "infinity").pids);
}

TEST(ForegroundLimits, ALimitBelowOneIsRefusedNotIgnored) {
  ResourceSettings resources;
  resources.memory_max = "0";
  auto limits = foreground_limits(resources, kMachine);
  ASSERT_FALSE(limits);
  EXPECT_EQ(limits.error().message,
            "[resources] memory_max '0' is less than one byte: the app could not run; raise it");
  resources.memory_max = "";
  resources.tasks_max = "0%";
  limits = foreground_limits(resources, kMachine);
  ASSERT_FALSE(limits);
  EXPECT_EQ(limits.error().message,
            "[resources] tasks_max '0%' is less than one task: the app could not run; raise it");
}

TEST(ForegroundLimits, AMissingControllerIsAnErrorNotARuntimeFailure) {
  TestTempDir dir;
  ForegroundLimits both{.memory_bytes = 1 << 20, .pids = 8};
  EXPECT_TRUE(check_limit_controllers({}, dir.path()));
  auto missing = check_limit_controllers(both, dir.path());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            fmt::format("[resources] memory_max cannot be applied: this machine offers no "
                        "'memory' cgroup controller (no {}/memory); remove memory_max to run the "
                        "app in the foreground here",
                        dir.path().string()));
  std::filesystem::create_directory(dir.path() / "memory");
  missing = check_limit_controllers(both, dir.path());
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("tasks_max cannot be applied"));
  std::filesystem::create_directory(dir.path() / "pids");
  EXPECT_TRUE(check_limit_controllers(both, dir.path()));
}

TEST(ForegroundLimits, OnCgroupV2TheControllersFileDecides) {
  TestTempDir dir;
  std::ofstream(dir.path() / "cgroup.controllers") << "cpuset cpu io memory hugetlb\n";
  EXPECT_TRUE(check_limit_controllers({.memory_bytes = 1 << 20}, dir.path()));
  auto missing = check_limit_controllers({.pids = 8}, dir.path());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            fmt::format("[resources] tasks_max cannot be applied: this machine offers no 'pids' "
                        "cgroup controller (not in {}/cgroup.controllers); remove tasks_max to "
                        "run the app in the foreground here",
                        dir.path().string()));
}

TEST(ForegroundLimits, TheMachineHasMemoryAndATaskLimit) {
  MachineSize machine = MachineSize::current();
  EXPECT_GT(machine.memory_bytes, 0u);
  EXPECT_GT(machine.tasks, 0u);
}

}  // namespace
}  // namespace ctapp
