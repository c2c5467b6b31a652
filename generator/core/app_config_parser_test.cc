// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/app_config_parser.h"
#include "core/parse_test_support.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

namespace ctapp {
namespace {

using ::testing::ElementsAre;

TEST(AppConfigParser, ReadsEveryKeyOfTheBrief) {
  AppConfig app = parse_valid(R"(
image = "docker.io/valkey/valkey:9.0.0"
[run]
command = ["valkey-server", "--save", "60", "1"]
entrypoint = ["/entry.sh"]
user = "valkey"
env = { TZ = "UTC", LANG = "C.UTF-8" }
env_files = ["/etc/ctapp/valkey.env"]
workdir = "/data"
hostname = "cache-1"
read_only = true
keep_changes = true
tmpfs = ["/tmp"]
stop_signal = "SIGQUIT"
runtime = "crun"
user_namespace = "auto"
[[volume]]
target = "/data"
[[mount]]
source = "/etc/ctapp/valkey.conf"
target = "/etc/valkey/valkey.conf"
read_only = true
[network]
mode = "bridge"
publish = ["127.0.0.1:6379:6379/tcp", "5353:53/udp"]
[service]
notify = "healthy"
ready = "tcp:6379"
ready_timeout = "30s"
restart = "on-failure"
restart_sec = 5
start_timeout = "5min"
stop_timeout = "30s"
wanted_by = ["multi-user.target"]
after = ["postgres", "network-online.target"]
requires = ["postgres"]
[resources]
memory_max = "512M"
memory_high = 400000000
cpu_quota = "150%"
cpu_weight = 200
tasks_max = 512
[systemd.Service]
LimitNOFILE = 65536
)");
  EXPECT_EQ(app.name, "app");
  EXPECT_EQ(app.image, "docker.io/valkey/valkey:9.0.0");
  EXPECT_THAT(*app.run.command, ElementsAre("valkey-server", "--save", "60", "1"));
  EXPECT_THAT(*app.run.entrypoint, ElementsAre("/entry.sh"));
  EXPECT_EQ(app.run.user, "valkey");
  ASSERT_EQ(app.run.env.size(), 2u);
  EXPECT_EQ(app.run.env[0].first, "LANG");  // TOML tables are unordered: sorted by name
  EXPECT_EQ(app.run.env[0].second, "C.UTF-8");
  EXPECT_EQ(app.run.env[1].first, "TZ");
  EXPECT_THAT(app.run.env_files, ElementsAre("/etc/ctapp/valkey.env"));
  EXPECT_EQ(app.run.workdir, "/data");
  EXPECT_EQ(app.run.hostname, "cache-1");
  EXPECT_TRUE(app.run.read_only);
  EXPECT_TRUE(app.run.keep_changes);
  ASSERT_EQ(app.run.tmpfs.size(), 1u);
  EXPECT_EQ(app.run.tmpfs[0].target, "/tmp");
  EXPECT_EQ(app.run.tmpfs[0].mode, "1777");
  EXPECT_EQ(app.run.tmpfs[0].size, "");
  EXPECT_EQ(app.run.stop_signal, "SIGQUIT");
  EXPECT_EQ(app.run.runtime, "crun");
  EXPECT_EQ(app.run.user_namespace, UserNamespaceMode::kAuto);
  ASSERT_EQ(app.volumes.size(), 1u);
  EXPECT_EQ(app.volumes[0].target, "/data");
  ASSERT_EQ(app.mounts.size(), 1u);
  EXPECT_TRUE(app.mounts[0].read_only);
  EXPECT_EQ(app.network.mode, NetworkMode::kBridge);
  ASSERT_EQ(app.network.publish.size(), 2u);
  EXPECT_EQ(app.network.publish[0].host_ip, "127.0.0.1");
  EXPECT_EQ(app.network.publish[0].host_port, 6379);
  EXPECT_EQ(app.network.publish[1].container_port, 53);
  EXPECT_EQ(app.network.publish[1].protocol, Protocol::kUdp);
  EXPECT_EQ(app.service.notify, NotifyMode::kHealthy);
  EXPECT_EQ(std::get<TcpProbe>(app.service.ready).port, 6379);
  EXPECT_EQ(app.service.restart_sec, "5s");
  EXPECT_EQ(app.service.start_timeout, "5min");
  EXPECT_THAT(app.service.after, ElementsAre("postgres", "network-online.target"));
  EXPECT_EQ(app.resources.memory_max, "512M");
  EXPECT_EQ(app.resources.memory_high, "400000000");
  EXPECT_EQ(app.resources.cpu_weight, 200u);
  EXPECT_EQ(app.resources.tasks_max, "512");
  ASSERT_EQ(app.systemd.sections.size(), 1u);
  EXPECT_EQ(app.systemd.sections[0].second[0].second, "65536");
}

TEST(AppConfigParser, PullPolicyAndAutoUpdate) {
  EXPECT_EQ(parse_valid("image = \"busybox\"\n").pull, PullPolicy::kMissing);
  EXPECT_EQ(parse_valid("image = \"busybox\"\npull = \"newer\"\n").pull, PullPolicy::kNewer);
  EXPECT_EQ(parse_valid("image = \"busybox\"\npull = \"always\"\n").pull, PullPolicy::kAlways);
  EXPECT_EQ(parse_valid("image = \"busybox\"\npull = \"never\"\n").pull, PullPolicy::kNever);
  EXPECT_FALSE(parse_valid("image = \"busybox\"\n").service.auto_update);
  EXPECT_TRUE(parse_valid("image = \"busybox\"\n[service]\nauto_update = true\n").service.auto_update);
  EXPECT_THAT(errors_of("image = \"busybox\"\npull = \"newest\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:2:8: 'newest' is not a valid pull, did you "
                          "mean 'newer'? (one of missing, newer, always, never)"));
  EXPECT_THAT(errors_of("image = \"busybox\"\n[service]\nauto_updates = true\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:1: unknown key 'auto_updates' in "
                          "[service], did you mean 'auto_update'?"));
}

TEST(AppConfigParser, UnknownKeySuggestsClosestKnownKey) {
  EXPECT_THAT(errors_of("imgae = \"busybox\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:1:1: unknown key 'imgae' in the top "
                          "level, did you mean 'image'?"));
}

TEST(AppConfigParser, KeyInTheWrongTableSaysWhereItBelongs) {
  EXPECT_THAT(errors_of("image = \"busybox\"\n[run]\nmemory_max = \"1G\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:1: unknown key 'memory_max' in [run]; "
                          "it belongs in [resources]"));
}

TEST(AppConfigParser, WrongTypeNamesKeyExpectedAndActualType) {
  EXPECT_THAT(errors_of("image = \"busybox\"\n[run]\nread_only = \"yes\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:13: 'read_only' in [run] must be a "
                          "boolean (true or false), not a string"));
}

TEST(AppConfigParser, ReportsEveryErrorOfAFileInLineOrder) {
  EXPECT_THAT(errors_of("image = \"busybox\"\n[service]\nrestart = \"sometimes\"\n[run]\n"
                        "workdir = \"data\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:11: 'sometimes' is not a restart "
                          "policy: use one of no, on-success, on-failure, on-abnormal, "
                          "on-watchdog, on-abort, always",
                          "/etc/containers.d/app.ctapp:5:11: workdir: 'data' must be an "
                          "absolute path"));
}

TEST(AppConfigParser, SyntaxErrorIsLocated) {
  auto errors = errors_of("image = \"busybox\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("/etc/containers.d/app.ctapp:1:"));
  EXPECT_THAT(errors[0], ::testing::HasSubstr("TOML syntax error"));
}

// toml++ 3.3 asserts on such a header when its asserts are compiled in.
TEST(AppConfigParser, TableHeaderThatIsNoKeyIsASyntaxError) {
  auto errors = errors_of("image = \"busybox\"\n[~run]\nread_only = true\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("/etc/containers.d/app.ctapp:2:"));
  EXPECT_THAT(errors[0], ::testing::HasSubstr("TOML syntax error"));
}

// toml++ 3.3 reached __builtin_unreachable() on U+00A1-U+0499 there
// (core/toml_library.h); the sanitizer lane would stop on it.
TEST(AppConfigParser, NonAsciiLetterInATableHeaderIsASyntaxError) {
  auto errors = errors_of("image = \"busybox\"\n[r\u00fcn]\nread_only = true\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("/etc/containers.d/app.ctapp:2:"));
  EXPECT_THAT(errors[0], ::testing::HasSubstr("TOML syntax error"));
}

TEST(AppConfigParser, MissingImageAndRootfsIsAnError) {
  EXPECT_THAT(errors_of("[run]\ncommand = [\"sh\"]\n"),
              ElementsAre("/etc/containers.d/app.ctapp: no image: set 'image = "
                          "\"REGISTRY/NAME:TAG\"' or 'rootfs = \"/path\"'"));
}

TEST(AppConfigParser, ImageAndRootfsTogetherIsAnError) {
  EXPECT_THAT(errors_of("image = \"busybox\"\nrootfs = \"/srv/root\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:2:10: both 'image' and 'rootfs' are "
                          "set: keep only one"));
}

TEST(AppConfigParser, NewlineInAValueIsRejectedNotCleaned) {
  EXPECT_THAT(errors_of("image = \"busybox\"\n[service]\ndescription = \"x\\n[Service]\\n"
                        "ExecStart=/bin/evil\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:15: 'description': control "
                          "characters (such as newlines) are not allowed in values"));
}

TEST(AppConfigParser, PassthroughCannotOverrideTheCommandsOfTheTemplate) {
  EXPECT_THAT(errors_of("image = \"busybox\"\n[systemd.Service]\nExecStartPre = \"/bin/x\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:1: [systemd.Service] ExecStartPre is "
                          "set by ctapp's template unit and cannot be overridden; use [run] and "
                          "[service] keys instead"));
}

TEST(AppConfigParser, PassthroughValueEndingInBackslashIsRejected) {
  auto errors = errors_of("image = \"busybox\"\n[systemd.Unit]\nDescription = 'a\\'\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::HasSubstr("must not end with a backslash"));
}

TEST(AppConfigParser, PassthroughArrayRepeatsTheKey) {
  AppConfig app = parse_valid(
      "image = \"busybox\"\n[systemd.Unit]\nAssertPathExists = [\"/a\", \"/b\"]\n");
  ASSERT_EQ(app.systemd.sections.size(), 1u);
  EXPECT_EQ(app.systemd.sections[0].first, "Unit");
  EXPECT_EQ(app.systemd.sections[0].second.size(), 2u);
}

TEST(AppConfigParser, PublishNeedsBridgeMode) {
  EXPECT_THAT(errors_of("image = \"busybox\"\n[network]\npublish = [\"8080:80\"]\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:11: publish needs [network] mode = "
                          "\"bridge\"; with mode host the app's ports are the machine's own, "
                          "with none there is no network"));
}

TEST(AppConfigParser, BadPortsAreNamed) {
  EXPECT_THAT(errors_of("image = \"busybox\"\n[network]\nmode = \"bridge\"\n"
                        "publish = [\"8080:0\", \"80\", \"1:2/sctp\"]\n"),
              ElementsAre("/etc/containers.d/app.ctapp:4:12: publish: '0' in '8080:0' is not a "
                          "port number (1-65535)",
                          "/etc/containers.d/app.ctapp:4:22: publish: '80' is not a published "
                          "port: write 'HOSTPORT:CONTAINERPORT[/tcp|udp]', optionally with a "
                          "host address first ('127.0.0.1:8080:80')",
                          "/etc/containers.d/app.ctapp:4:28: publish: '1:2/sctp': protocol "
                          "'sctp' is not 'tcp' or 'udp'"));
}

TEST(AppConfigParser, HealthyNotifyNeedsAProbe) {
  EXPECT_THAT(errors_of("image = \"busybox\"\n[service]\nnotify = \"healthy\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp: [service] notify = \"healthy\" needs a "
                          "probe: add ready = \"tcp:PORT\" or ready = [\"command\", \"arg\"]"));
}

TEST(AppConfigParser, ExecProbeIsACommand) {
  AppConfig app = parse_valid("image = \"busybox\"\n[service]\nnotify = \"healthy\"\n"
                              "ready = [\"valkey-cli\", \"ping\"]\n");
  EXPECT_THAT(std::get<ExecProbe>(app.service.ready).argv, ElementsAre("valkey-cli", "ping"));
}

TEST(AppConfigParser, SizesAndTimeSpansFollowSystemdSyntax) {
  EXPECT_TRUE(errors_of("image = \"b\"\n[resources]\nmemory_max = \"1.5G\"\n[service]\n"
                        "stop_timeout = \"1min 30s\"\n")
                  .empty());
  EXPECT_THAT(errors_of("image = \"b\"\n[resources]\nmemory_max = \"lots\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:14: 'lots' is not a size: use bytes "
                          "or a number with K, M, G or T (such as '512M'), a percentage, or "
                          "'infinity'"));
  EXPECT_THAT(errors_of("image = \"b\"\n[service]\nstart_timeout = \"soon\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:17: 'soon' is not a time span: use "
                          "seconds or systemd's form, such as '90s', '5min 30s' or 'infinity'"));
}

TEST(AppConfigParser, AfterAcceptsAppNamesAndUnitNames) {
  AppConfig app = parse_valid("image = \"b\"\n[service]\nafter = [\"db\", \"x.mount\"]\n");
  EXPECT_THAT(app.service.after, ElementsAre("db", "x.mount"));
  EXPECT_THAT(errors_of("image = \"b\"\n[service]\nafter = [\"a b\"]\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:10: after: 'a b' is neither an app "
                          "name (NAME of NAME.ctapp) nor a unit name such as "
                          "'postgresql.service'"));
}

TEST(AppConfigParser, InvalidAppNameIsReportedForTheFile) {
  auto result = parse_app_text("my app", "/etc/containers.d/my app.ctapp", "image = \"b\"\n");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().front().format(),
            "/etc/containers.d/my app.ctapp: 'my app' is not a valid app name: use 1-64 "
            "letters, digits, '_', '.' or '-', starting with a letter or digit (rename the file)");
}

TEST(AppConfigParser, BadImageReferenceIsExplained) {
  EXPECT_THAT(errors_of("image = \"Docker.io/Busybox\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:1:9: image 'Docker.io/Busybox': "
                          "'Busybox' is not a valid repository name (lowercase letters, digits "
                          "and separators . _ - only)"));
}

TEST(AppConfigParser, VolumeTargetsMustBeUnique) {
  EXPECT_THAT(errors_of("image = \"b\"\n[[volume]]\ntarget = \"/d\"\n[[mount]]\nsource = \"/s\"\n"
                        "target = \"/d\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp: two volumes or mounts have the same "
                          "target '/d'"));
}

TEST(AppConfigParser, PathsWithDotDotAreRejected) {
  EXPECT_THAT(errors_of("image = \"b\"\n[[volume]]\ntarget = \"/data/../etc\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:10: target: '/data/../etc' must not "
                          "contain '.' or '..' components"));
}

TEST(AppConfigParser, SuggestsTheValueMeantForAChoice) {
  EXPECT_THAT(errors_of("image = \"b\"\n[network]\nmode = \"brige\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:8: 'brige' is not a valid mode, did you "
                          "mean 'bridge'? (one of host, none, bridge, app:OTHER)"));
}

TEST(AppConfigParser, ReadsCpuListIoWeightAndSwapLimit) {
  AppConfig app = parse_valid("image = \"b\"\n[resources]\nallowed_cpus = \"0-1,3\"\n"
                              "io_weight = 500\nmemory_swap_max = \"1G\"\n");
  EXPECT_EQ(app.resources.allowed_cpus, "0-1,3");
  EXPECT_EQ(app.resources.io_weight, 500u);
  EXPECT_EQ(app.resources.memory_swap_max, "1G");
  EXPECT_EQ(parse_valid("image = \"b\"\n[resources]\nmemory_swap_max = 0\n")
                .resources.memory_swap_max,
            "0");
}

TEST(AppConfigParser, BadCpuListIoWeightAndSwapLimitAreLocated) {
  EXPECT_THAT(errors_of("image = \"b\"\n[resources]\nallowed_cpus = \"3-1\"\n"
                        "io_weight = 0\nmemory_swap_max = \"lots\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:16: '3-1' is not a CPU list: use CPU "
                          "numbers and ranges separated by commas, such as '0-1,3' (CPUs 0 to "
                          "8191)",
                          "/etc/containers.d/app.ctapp:4:13: io_weight 0 is out of range: use 1 "
                          "to 10000 (default 100)",
                          "/etc/containers.d/app.ctapp:5:19: 'lots' is not a size: use bytes or a "
                          "number with K, M, G or T (such as '512M'), a percentage, or "
                          "'infinity'"));
  for (const char* list : {"", "a", "1,", ",1", "1-", "0-8192", "1 2", "0--1"})
    EXPECT_EQ(errors_of(fmt::format("image = \"b\"\n[resources]\nallowed_cpus = \"{}\"\n",
                                    list))
                  .size(),
              1u)
        << list;
  for (const char* list : {"0", "0-0", "1,3,5", "0-3,8-11", "8191"})
    EXPECT_THAT(errors_of(fmt::format("image = \"b\"\n[resources]\nallowed_cpus = \"{}\"\n",
                                      list)),
                ElementsAre())
        << list;
}

TEST(AppConfigParser, ReloadIsASignalOrACommand) {
  AppConfig by_signal = parse_valid("image = \"b\"\n[service]\nreload = \"signal:SIGHUP\"\n");
  EXPECT_EQ(std::get<ReloadSignal>(by_signal.service.reload).signal, "SIGHUP");
  AppConfig by_command =
      parse_valid("image = \"b\"\n[service]\nreload = [\"nginx\", \"-s\", \"reload\"]\n");
  EXPECT_THAT(std::get<ReloadCommand>(by_command.service.reload).argv,
              ElementsAre("nginx", "-s", "reload"));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_valid("image = \"b\"\n").service.reload));
}

TEST(AppConfigParser, BadReloadIsLocatedAndExplained) {
  EXPECT_THAT(errors_of("image = \"b\"\n[service]\nreload = \"signal:SIGNOPE\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:10: reload: 'SIGNOPE' is not a signal: "
                          "use a name such as 'SIGTERM' or 'SIGQUIT'"));
  EXPECT_THAT(errors_of("image = \"b\"\n[service]\nreload = \"HUP\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:10: reload 'HUP' is not 'signal:NAME': "
                          "write reload = \"signal:SIGHUP\", or a command as an array of "
                          "strings"));
  EXPECT_THAT(errors_of("image = \"b\"\n[service]\nreload = []\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:10: reload: the command is empty"));
  EXPECT_THAT(errors_of("image = \"b\"\n[service]\nreload = 1\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:10: 'reload' must be 'signal:NAME' or a "
                          "command as an array of strings, not an integer"));
  EXPECT_THAT(errors_of("image = \"b\"\n[service]\nreload = \"signal:HUP\"\n"
                        "[systemd.Service]\nExecReload = \"/bin/true\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:10: [service] reload and "
                          "[systemd.Service] ExecReload are both set: keep only one"));
}

// The [run] keys that shape config.json: capabilities, privileges, init,
// sysctls, rlimits, annotations, /dev/shm and tmpfs sizes.
TEST(AppConfigParser, ReadsTheContainerShapingRunKeys) {
  AppConfig app = parse_valid(R"(
image = "b"
[run]
init = true
no_new_privileges = false
cap_add = ["net_admin", "CAP_SYS_PTRACE", "Sys_Time"]
cap_drop = ["all"]
sysctl = { "net.ipv4.ip_forward" = 1, "kernel.shmmax" = "68719476736" }
ulimits = { nofile = 512, core = "0:unlimited", NPROC = "100:200" }
annotations = { "com.example.team" = "cache" }
shm_size = "256M"
tmpfs = ["/tmp", { path = "/cache", size = "64M", mode = "0700" }]
[network]
mode = "none"
)");
  EXPECT_TRUE(app.run.init);
  EXPECT_FALSE(app.run.no_new_privileges);
  EXPECT_THAT(app.run.cap_add, ElementsAre("CAP_NET_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_TIME"));
  EXPECT_THAT(app.run.cap_drop, ElementsAre("ALL"));
  ASSERT_EQ(app.run.sysctl.size(), 2u);
  EXPECT_EQ(app.run.sysctl[0], (std::pair<std::string, std::string>{"kernel.shmmax", "68719476736"}));
  EXPECT_EQ(app.run.sysctl[1], (std::pair<std::string, std::string>{"net.ipv4.ip_forward", "1"}));
  ASSERT_EQ(app.run.ulimits.size(), 3u);
  EXPECT_EQ(app.run.ulimits[0].type, "RLIMIT_CORE");
  EXPECT_EQ(app.run.ulimits[0].soft, 0u);
  EXPECT_EQ(app.run.ulimits[0].hard, UINT64_MAX);
  EXPECT_EQ(app.run.ulimits[1].type, "RLIMIT_NOFILE");
  EXPECT_EQ(app.run.ulimits[1].soft, 512u);
  EXPECT_EQ(app.run.ulimits[1].hard, 512u);
  EXPECT_EQ(app.run.ulimits[2].type, "RLIMIT_NPROC");
  EXPECT_EQ(app.run.ulimits[2].hard, 200u);
  ASSERT_EQ(app.run.annotations.size(), 1u);
  EXPECT_EQ(app.run.annotations[0].second, "cache");
  EXPECT_EQ(app.run.shm_size, "256M");
  ASSERT_EQ(app.run.tmpfs.size(), 2u);
  EXPECT_EQ(app.run.tmpfs[1].target, "/cache");
  EXPECT_EQ(app.run.tmpfs[1].size, "64M");
  EXPECT_EQ(app.run.tmpfs[1].mode, "0700");
}

TEST(AppConfigParser, ContainerShapingKeysHaveSafeDefaults) {
  AppConfig app = parse_valid("image = \"b\"\n");
  EXPECT_FALSE(app.run.init);
  EXPECT_TRUE(app.run.no_new_privileges);
  EXPECT_TRUE(app.run.cap_add.empty());
  EXPECT_EQ(app.run.shm_size, "64M");
}

TEST(AppConfigParser, UnknownCapabilitySuggestsTheKernelsName) {
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\ncap_add = [\"NET_ADMN\"]\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:12: cap_add: 'NET_ADMN' is not a "
                          "capability, did you mean 'CAP_NET_ADMIN'? (see capabilities(7))"));
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\ncap_drop = [\"chown\", \"flying\"]\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:22: cap_drop: 'flying' is not a "
                          "capability: use a name from capabilities(7) such as 'NET_ADMIN' (the "
                          "CAP_ prefix is optional), or 'ALL'"));
}

TEST(AppConfigParser, OnlyNamespacedSysctlsAreAccepted) {
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\nsysctl = { \"vm.swappiness\" = 10 }\n"
                        "[network]\nmode = \"none\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:12: sysctl 'vm.swappiness' is not per "
                          "container: the kernel shares it with the whole machine (only net.*, "
                          "kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* are namespaced); "
                          "set it on the host with sysctl.d(5)"));
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\nsysctl = { \"kernel.pid_max\" = 10 }\n"),
              ElementsAre(::testing::HasSubstr("app.ctapp:3:12: sysctl 'kernel.pid_max' is not "
                                               "per container")));
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\nsysctl = { \"net.ipv4.ip_forward\" = 1 }\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:36: net.* sysctls need a network of "
                          "the app's own: with [network] mode host they would change the "
                          "machine's; set mode = \"none\" or \"bridge\", or use sysctl.d(5) on "
                          "the host"));
  EXPECT_TRUE(errors_of("image = \"b\"\n[run]\nsysctl = { \"kernel.msgmax\" = 1, \"kernel.sem\" = "
                        "\"250 32000 32 128\", \"fs.mqueue.msg_max\" = 20 }\n")
                  .empty());
}

TEST(AppConfigParser, UlimitsAreNamedAndOrdered) {
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\nulimits = { nofiles = 10 }\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:13: ulimits: 'nofiles' is not a "
                          "ulimit, did you mean 'nofile'?"));
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\nulimits = { nofile = \"2048:1024\" }\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:22: ulimits nofile: the soft limit 2048 "
                          "is above the hard limit 1024: write \"SOFT:HARD\" with SOFT <= HARD"));
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\nulimits = { nofile = \"many\" }\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:22: ulimits nofile: 'many' is not a "
                          "limit: write a number, \"SOFT:HARD\" or \"unlimited\""));
}

TEST(AppConfigParser, AnnotationsTheRuntimeOrCtappActOnAreRefused) {
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\nannotations = { \"run.oci.keep_original_groups\""
                        " = \"1\", \"org.ctapp.app\" = \"x\" }\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:17: annotations: annotation "
                          "'run.oci.keep_original_groups': keys under 'run.oci.' configure the "
                          "runtime (crun acts on them); use a prefix of your own, e.g. "
                          "'com.example.', or a [run] key",
                          "/etc/containers.d/app.ctapp:3:55: annotations: annotation "
                          "'org.ctapp.app': keys under 'org.ctapp.' are set by ctapp itself; use "
                          "a prefix of your own, e.g. 'com.example.'"));
}

TEST(AppConfigParser, TmpfsSizesAndModesAreChecked) {
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\nshm_size = \"0\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:12: shm_size: '0' is not a tmpfs size: "
                          "write bytes with an optional K, M, G or T suffix, e.g. \"64M\", or a "
                          "share of RAM such as \"10%\""));
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\ntmpfs = [{ path = \"/x\", mode = \"rwx\", "
                        "sise = \"1M\" }]\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:32: tmpfs mode: 'rwx' is not a mode: "
                          "write up to four octal digits, e.g. \"1777\"",
                          "/etc/containers.d/app.ctapp:3:39: unknown key 'sise' in a tmpfs "
                          "entry, did you mean 'size'?"));
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\ntmpfs = [\"/x\\n[Service]\"]\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:10: tmpfs: control characters (such as "
                          "newlines) are not allowed in values"));
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\nulimits = { \"no\\nfile\" = 1 }\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:13: ulimits: control characters (such "
                          "as newlines) are not allowed in values"));
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\ntmpfs = [{ size = \"1M\" }]\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:10: a tmpfs entry needs 'path' (where "
                          "to mount it)"));
}

TEST(AppConfigParser, PlatformIsOsArchAndOptionalVariantAndNeedsAnImage) {
  EXPECT_EQ(parse_valid("image = \"b\"\nplatform = \"linux/arm/v7\"\n").platform, "linux/arm/v7");
  EXPECT_THAT(errors_of("image = \"b\"\nplatform = \"arm64\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:2:12: 'arm64' is not a platform: write "
                          "OS/ARCH[/VARIANT] in lower case, such as \"linux/arm64\" or "
                          "\"linux/arm/v7\""));
  EXPECT_THAT(errors_of("rootfs = \"/srv/root\"\nplatform = \"linux/arm64\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:2:12: platform chooses which image to "
                          "pull: it needs 'image', not 'rootfs'"));
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\nplatform = \"linux/arm64\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:1: unknown key 'platform' in [run]"));
}

TEST(AppConfigParser, NetworkModeAppNamesTheAppWhoseNetworkItJoins) {
  AppConfig app = parse_valid("image = \"b\"\n[network]\nmode = \"app:web-1\"\n");
  EXPECT_EQ(app.network.mode, NetworkMode::kApp);
  EXPECT_EQ(app.network.app, "web-1");
  EXPECT_THAT(errors_of("image = \"b\"\n[network]\nmode = \"app:we/b\"\n"),
              ElementsAre(::testing::StartsWith(
                  "/etc/containers.d/app.ctapp:3:8: mode 'app:we/b': 'we/b' is not a valid app name")));
  EXPECT_THAT(errors_of("image = \"b\"\n[network]\nmode = \"app:app\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:8: mode 'app:app' names this app "
                          "itself: name the app whose network it joins"));
  EXPECT_THAT(errors_of("image = \"b\"\n[network]\nmode = \"ap:web\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:8: 'ap:web' is not a valid mode: use one "
                          "of host, none, bridge, app:OTHER"));
}

TEST(AppConfigParser, ASidecarPublishesNothingAndSetsNoNetworkOfItsOwn) {
  EXPECT_THAT(errors_of("image = \"b\"\n[network]\nmode = \"app:web\"\npublish = [\"80:80\"]\n"),
              ElementsAre("/etc/containers.d/app.ctapp:4:11: publish is refused with [network] "
                          "mode \"app:web\": the app shares the network of app 'web', so its "
                          "ports are published by 'web'; move them to publish of web.ctapp"));
  EXPECT_THAT(errors_of("image = \"b\"\n[network]\nmode = \"app:web\"\nnetwork = \"lan\"\n"),
              ElementsAre("/etc/containers.d/app.ctapp:3:8: [network] network = 'lan' names a "
                          "CNI network, but mode \"app:web\" joins that app's network: remove "
                          "network"));
  EXPECT_THAT(errors_of("image = \"b\"\n[run]\nsysctl = { \"net.ipv4.ip_forward\" = 1 }\n"
                        "[network]\nmode = \"app:web\"\n"),
              ElementsAre(::testing::StartsWith("/etc/containers.d/app.ctapp:3:")));
}

}  // namespace
}  // namespace ctapp
