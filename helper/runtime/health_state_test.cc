// SPDX-License-Identifier: LGPL-2.1-or-later
#include "runtime/health_state.h"

#include <gtest/gtest.h>

namespace ctapp {
namespace {

using namespace std::chrono_literals;
using Clock = HealthState::Clock;

const Clock::time_point kStart{};

TEST(HealthState, StartsAsStarting) {
  HealthState state(3, 0s, kStart);
  EXPECT_EQ(state.report().status, HealthStatus::kStarting);
  EXPECT_EQ(state.status_text(), "starting");
  EXPECT_EQ(state.report().last_check_unix_ms, 0);
}

TEST(HealthState, APassingCheckMakesItHealthyOnce) {
  HealthState state(3, 0s, kStart);
  EXPECT_EQ(state.record(true, "", kStart + 1s, 1000), HealthStatus::kHealthy);
  EXPECT_EQ(state.record(true, "", kStart + 2s, 2000), std::nullopt);  // no second transition
  EXPECT_EQ(state.status_text(), "healthy");
  EXPECT_EQ(state.report().last_check_unix_ms, 2000);
}

TEST(HealthState, RetriesFailuresInARowMakeItUnhealthy) {
  HealthState state(3, 0s, kStart);
  state.record(true, "", kStart + 1s, 1);
  EXPECT_EQ(state.record(false, "exit 1", kStart + 2s, 2), std::nullopt);
  EXPECT_EQ(state.record(false, "exit 1", kStart + 3s, 3), std::nullopt);
  EXPECT_EQ(state.report().failing_streak, 2u);
  EXPECT_EQ(state.report().status, HealthStatus::kHealthy);
  EXPECT_EQ(state.record(false, "no such file", kStart + 4s, 4), HealthStatus::kUnhealthy);
  EXPECT_EQ(state.status_text(), "unhealthy: 3 failed checks: no such file");
  EXPECT_EQ(state.record(false, "again", kStart + 5s, 5), std::nullopt);
  EXPECT_EQ(state.report().failing_streak, 4u);
}

TEST(HealthState, APassInBetweenResetsTheStreak) {
  HealthState state(2, 0s, kStart);
  state.record(false, "x", kStart + 1s, 1);
  state.record(true, "", kStart + 2s, 2);
  EXPECT_EQ(state.report().failing_streak, 0u);
  EXPECT_EQ(state.record(false, "x", kStart + 3s, 3), std::nullopt);
  EXPECT_EQ(state.record(false, "x", kStart + 4s, 4), HealthStatus::kUnhealthy);
}

TEST(HealthState, RecoversToHealthy) {
  HealthState state(1, 0s, kStart);
  EXPECT_EQ(state.record(false, "down", kStart + 1s, 1), HealthStatus::kUnhealthy);
  EXPECT_EQ(state.status_text(), "unhealthy: 1 failed check: down");
  EXPECT_EQ(state.record(true, "", kStart + 2s, 2), HealthStatus::kHealthy);
}

TEST(HealthState, FailuresInsideTheStartPeriodDoNotCount) {
  HealthState state(1, 10s, kStart);
  EXPECT_EQ(state.record(false, "not yet", kStart + 5s, 1), std::nullopt);
  EXPECT_EQ(state.report().failing_streak, 0u);
  EXPECT_EQ(state.report().status, HealthStatus::kStarting);
  EXPECT_EQ(state.report().last_output, "not yet");  // still shown
  EXPECT_EQ(state.record(false, "late", kStart + 10s, 2), HealthStatus::kUnhealthy);
}

TEST(HealthState, ThePassThatEndsStartingEndsTheStartPeriod) {
  HealthState state(1, 60s, kStart);
  EXPECT_EQ(state.record(true, "", kStart + 1s, 1), HealthStatus::kHealthy);
  EXPECT_EQ(state.record(false, "broke", kStart + 2s, 2), HealthStatus::kUnhealthy);
}

TEST(HealthState, UnhealthyWithoutOutputSaysSo) {
  HealthState state(1, 0s, kStart);
  state.record(false, "", kStart, 1);
  EXPECT_EQ(state.status_text(), "unhealthy: 1 failed check: no output");
}

}  // namespace
}  // namespace ctapp
