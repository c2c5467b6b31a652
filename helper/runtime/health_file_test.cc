// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/health_file.h"

#include <gtest/gtest.h>

#include "core/atomic_file.h"
#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

TEST(HealthFile, WhatTheSupervisorWritesStatusReads) {
  TestTempDir dir;
  auto path = health_file_path(dir.path());
  HealthReport report{HealthStatus::kUnhealthy, 3, 1764563400000, "cat: /tmp/ok: No such file"};
  ASSERT_TRUE(write_health_file(path, report));
  auto read = read_health_file(path);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->status, HealthStatus::kUnhealthy);
  EXPECT_EQ((*read)->failing_streak, 3u);
  EXPECT_EQ((*read)->last_check_unix_ms, 1764563400000);
  EXPECT_EQ((*read)->last_output, "cat: /tmp/ok: No such file");
}

TEST(HealthFile, AMissingFileIsNoHealth) {
  TestTempDir dir;
  auto read = read_health_file(health_file_path(dir.path()));
  ASSERT_TRUE(read.has_value());
  EXPECT_FALSE(read->has_value());
}

TEST(HealthFile, AForeignFileIsAnErrorNamingIt) {
  TestTempDir dir;
  auto path = health_file_path(dir.path());
  ASSERT_TRUE(write_file_atomic(path, R"({"status":"sick","failing_streak":0,"last_check_unix_ms":0,"last_output":""})"));
  auto read = read_health_file(path);
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().message,
            "'" + path.string() + "': 'status' 'sick' is not starting, healthy or unhealthy");
}

TEST(HealthFile, FormatsTimesInUtc) {
  EXPECT_EQ(format_utc(1764563400000), "2025-12-01T04:30:00Z");
  EXPECT_EQ(format_utc(0), "");
}

}  // namespace
}  // namespace ctapp
