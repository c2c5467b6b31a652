// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/health_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/app_config_parser.h"
#include "core/parse_test_support.h"

namespace ctapp {
namespace {

using ::testing::ElementsAre;
using namespace std::chrono_literals;

HealthSettings health_of(std::string_view text) { return parse_valid(text).health; }

TEST(HealthReader, ReadsEveryKey) {
  HealthSettings health = health_of(R"(image = "b"
[health]
check = ["test", "-e", "/tmp/ok"]
interval = "5s"
timeout = 2
retries = 5
start_period = "1min"
on_failure = "restart"
)");
  ASSERT_TRUE(std::holds_alternative<ExecProbe>(health.check));
  EXPECT_THAT(std::get<ExecProbe>(health.check).argv, ElementsAre("test", "-e", "/tmp/ok"));
  EXPECT_EQ(health.interval, 5s);
  EXPECT_EQ(health.timeout, 2s);
  EXPECT_EQ(health.retries, 5u);
  EXPECT_EQ(health.start_period, 60s);
  EXPECT_EQ(health.on_failure, HealthOnFailure::kRestart);
}

TEST(HealthReader, DefaultsFollowPodman) {
  HealthSettings health = health_of("image = \"b\"\n[health]\ncheck = \"tcp:8080\"\n");
  ASSERT_TRUE(std::holds_alternative<TcpProbe>(health.check));
  EXPECT_EQ(std::get<TcpProbe>(health.check).port, 8080);
  EXPECT_EQ(health.interval, 30s);
  EXPECT_EQ(health.timeout, 30s);
  EXPECT_EQ(health.retries, 3u);
  EXPECT_EQ(health.start_period, 0s);
  EXPECT_EQ(health.on_failure, HealthOnFailure::kNone);
}

TEST(HealthReader, NoHealthTableMeansNoCheck) {
  EXPECT_TRUE(std::holds_alternative<std::monostate>(health_of("image = \"b\"\n").check));
}

TEST(HealthReader, HealthWithoutCheckIsAnErrorAtTheTable) {
  EXPECT_THAT(errors_of("image = \"b\"\n[health]\nretries = 2\n"),
              ElementsAre("/etc/containers.d/app.ctapp:2:1: [health] needs a check: add check = "
                          "\"tcp:PORT\" or check = [\"command\", \"arg\"]"));
}

TEST(HealthReader, OnFailureSuggestsTheValueMeant) {
  EXPECT_THAT(errors_of("image = \"b\"\n[health]\ncheck = \"tcp:1\"\non_failure = \"restrat\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:4:14: 'restrat' is not a valid on_failure, "
                          "did you mean 'restart'? (one of none, kill, restart)"));
}

TEST(HealthReader, UnknownKeySuggestsTheHealthKey) {
  EXPECT_THAT(errors_of("image = \"b\"\n[health]\ncheck = \"tcp:1\"\nintervall = 2\n"),
              ElementsAre(::testing::StartsWith(
                  "/etc/containers.d/app.ctapp:4:1: unknown key 'intervall' in [health], did you "
                  "mean 'interval'?")));
}

TEST(HealthReader, BadValuesAreLocatedAndExplained) {
  EXPECT_THAT(
      errors_of("image = \"b\"\n[health]\ncheck = \"http:80\"\ninterval = \"10ms\"\n"
                "timeout = \"soon\"\nretries = 0\nstart_period = \"infinity\"\n"),
      ElementsAre("/etc/containers.d/app.ctapp:3:9: check: 'http:80' is not a readiness probe: "
                  "use 'tcp:PORT', or a command as a list of strings",
                  "/etc/containers.d/app.ctapp:4:12: interval is out of range: use 100ms to one "
                  "year, such as '30s'",
                  "/etc/containers.d/app.ctapp:5:11: timeout: 'soon' is not a time span: use "
                  "seconds or systemd's form, such as '90s', '5min 30s' or 'infinity'",
                  "/etc/containers.d/app.ctapp:6:11: retries 0 is out of range: use 1 to 1000 "
                  "(default 3)",
                  "/etc/containers.d/app.ctapp:7:16: start_period is out of range: use 0 to one "
                  "year, such as '30s'"));
  EXPECT_THAT(errors_of("image = \"b\"\n[health]\ncheck = []\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:9: check: the command is empty"));
  EXPECT_THAT(errors_of("image = \"b\"\n[health]\ncheck = 80\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:9: 'check' must be 'tcp:PORT' or a "
                          "command as an array of strings, not an integer"));
}

TEST(HealthReader, OnFailureNamesRoundTrip) {
  EXPECT_EQ(health_on_failure_name(HealthOnFailure::kNone), "none");
  EXPECT_EQ(health_on_failure_name(HealthOnFailure::kKill), "kill");
  EXPECT_EQ(health_on_failure_name(HealthOnFailure::kRestart), "restart");
}

}  // namespace
}  // namespace ctapp
