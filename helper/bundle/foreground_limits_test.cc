// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bundle/foreground_limits.h"

#include <gtest/gtest.h>

namespace ctapp {
namespace {

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

TEST(ForegroundLimits, TheMachineHasMemoryAndATaskLimit) {
  MachineSize machine = MachineSize::current();
  EXPECT_GT(machine.memory_bytes, 0u);
  EXPECT_GT(machine.tasks, 0u);
}

}  // namespace
}  // namespace ctapp
