// SPDX-License-Identifier: LGPL-2.1-or-later
// The hardening ctapp promises in config.json, asserted exactly: a change to
// any of these sets must be a decision, made here, not an accident.
#include "bundle/runtime_config.h"

#include <algorithm>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::set<std::string> set_of(const json& array) {
  std::set<std::string> values;
  for (const auto& value : array) values.insert(value.get<std::string>());
  return values;
}

class RuntimeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() / "rootfs/etc");
    std::ofstream(dir_.path() / "rootfs/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n";
    std::ofstream(dir_.path() / "seccomp.json")
        << R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
              "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}]})";
    app_.name = "hard";
    app_.run.command = std::vector<std::string>{"/bin/true"};
    inputs_.app = &app_;
    inputs_.rootfs = dir_.path() / "rootfs";
    inputs_.root_path = dir_.path() / "merged";
    inputs_.data_dir = dir_.path() / "data";
    inputs_.notify_dir = dir_.path() / "run/notify";
    inputs_.seccomp_profile = dir_.path() / "seccomp.json";
  }

  json build() {
    auto bundle = build_runtime_config(inputs_);
    EXPECT_TRUE(bundle) << bundle.error().message;
    return bundle ? bundle->config : json();
  }

  TestTempDir dir_;
  AppConfig app_;
  BundleInputs inputs_;
};

TEST_F(RuntimeConfigTest, CapabilitiesAreExactlyDockersDefaultFourteen) {
  json config = build();
  const std::set<std::string> docker_default = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",     "CAP_FOWNER",           "CAP_MKNOD",
      "CAP_NET_RAW", "CAP_SETGID",       "CAP_SETUID",     "CAP_SETFCAP",          "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
  const json& caps = config["process"]["capabilities"];
  for (const char* set : {"bounding", "effective", "permitted"}) {
    EXPECT_EQ(caps[set].size(), 14u) << set;
    EXPECT_EQ(set_of(caps[set]), docker_default) << set;
  }
  for (const char* set : {"inheritable", "ambient"})
    EXPECT_TRUE(!caps.contains(set) || caps[set].empty()) << set << " must be empty";
}

TEST_F(RuntimeConfigTest, NoNewPrivilegesSeccompMaskedAndReadonlyPathsAndNoDevices) {
  json config = build();
  EXPECT_EQ(config["process"]["noNewPrivileges"], true);
  const json& linux = config["linux"];
  ASSERT_TRUE(linux.contains("seccomp"));
  EXPECT_EQ(linux["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(linux["seccomp"]["syscalls"].size(), 1u);
  EXPECT_EQ(set_of(linux["maskedPaths"]),
            (std::set<std::string>{"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                   "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                   "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
                                   "/sys/devices/virtual/powercap"}));
  EXPECT_EQ(set_of(linux["readonlyPaths"]),
            (std::set<std::string>{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                   "/proc/sysrq-trigger"}));
  EXPECT_EQ(linux["resources"]["devices"], json::parse(R"([{"allow": false, "access": "rwm"}])"));
  EXPECT_FALSE(linux.contains("devices") && !linux["devices"].empty()) << "no device is created";
  EXPECT_EQ(config["process"]["user"]["uid"], 0);
}

TEST_F(RuntimeConfigTest, ForegroundLimitsBecomeLinuxResourcesAndOnlyThen) {
  json config = build();
  EXPECT_FALSE(config["linux"]["resources"].contains("memory"));
  EXPECT_FALSE(config["linux"]["resources"].contains("pids"));
  inputs_.limits = {.memory_bytes = 64 << 20, .pids = 32};
  config = build();
  EXPECT_EQ(config["linux"]["resources"]["memory"], json::parse(R"({"limit": 67108864})"));
  EXPECT_EQ(config["linux"]["resources"]["pids"], json::parse(R"({"limit": 32})"));
  EXPECT_EQ(config["linux"]["resources"]["devices"],
            json::parse(R"([{"allow": false, "access": "rwm"}])"));
}

TEST_F(RuntimeConfigTest, TheNotifySocketsDirectoryIsTheOnlyHostRunBoundAndReadOnly) {
  app_.service.notify = NotifyMode::kContainer;
  json config = build();
  int notify_mounts = 0;
  for (const auto& mount : config["mounts"]) {
    std::string source = mount.value("source", "");
    if (mount["destination"] == "/run/ctapp-notify") {
      ++notify_mounts;
      EXPECT_EQ(source, inputs_.notify_dir.string());
      auto options = set_of(mount["options"]);
      EXPECT_TRUE(options.count("ro")) << mount.dump();
      EXPECT_FALSE(options.count("rw")) << mount.dump();
      EXPECT_TRUE(options.count("nosuid") && options.count("nodev")) << mount.dump();
    }
    EXPECT_NE(source, "/run") << "the host's /run is never bound";
  }
  EXPECT_EQ(notify_mounts, 1);
  auto env = set_of(config["process"]["env"]);
  EXPECT_TRUE(env.count("NOTIFY_SOCKET=/run/ctapp-notify/notify.sock"));
}

const json* mount_at(const json& config, std::string_view destination) {
  for (const auto& mount : config["mounts"])
    if (mount["destination"] == destination) return &mount;
  return nullptr;
}

TEST_F(RuntimeConfigTest, CapAddAndCapDropChangeEveryPermittedSetAsDockerDoes) {
  app_.run.cap_add = {"CAP_NET_ADMIN"};
  app_.run.cap_drop = {"CAP_CHOWN", "CAP_NET_RAW"};
  json config = build();
  const json& caps = config["process"]["capabilities"];
  for (const char* set : {"bounding", "effective", "permitted"}) {
    auto names = set_of(caps[set]);
    EXPECT_EQ(names.size(), 13u) << set;
    EXPECT_TRUE(names.count("CAP_NET_ADMIN")) << set;
    EXPECT_FALSE(names.count("CAP_CHOWN") || names.count("CAP_NET_RAW")) << set;
  }
  for (const char* set : {"inheritable", "ambient"})
    EXPECT_TRUE(!caps.contains(set) || caps[set].empty()) << set << " must stay empty";
}

TEST_F(RuntimeConfigTest, CapDropAllKeepsOnlyCapAddAndCapAddAllIsEveryCapability) {
  app_.run.cap_drop = {"ALL"};
  app_.run.cap_add = {"CAP_NET_BIND_SERVICE"};
  EXPECT_EQ(set_of(build()["process"]["capabilities"]["effective"]),
            std::set<std::string>{"CAP_NET_BIND_SERVICE"});
  app_.run.cap_add = {"ALL"};
  app_.run.cap_drop = {"CAP_SYS_ADMIN"};
  auto names = set_of(build()["process"]["capabilities"]["bounding"]);
  EXPECT_EQ(names.size(), 40u);
  EXPECT_TRUE(names.count("CAP_SYS_PTRACE"));
  EXPECT_FALSE(names.count("CAP_SYS_ADMIN"));
}

TEST_F(RuntimeConfigTest, SeccompFollowsTheAddedCapabilities) {
  std::ofstream(dir_.path() / "seccomp.json")
      << R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
            {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
            {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW",
             "includes": {"caps": ["CAP_SYS_PTRACE"]}}]})";
  EXPECT_EQ(build()["linux"]["seccomp"]["syscalls"].size(), 1u);
  app_.run.cap_add = {"CAP_SYS_PTRACE"};
  EXPECT_EQ(build()["linux"]["seccomp"]["syscalls"].size(), 2u);
}

TEST_F(RuntimeConfigTest, NoNewPrivilegesCanBeTurnedOff) {
  app_.run.no_new_privileges = false;
  EXPECT_EQ(build()["process"]["noNewPrivileges"], false);
}

TEST_F(RuntimeConfigTest, InitRunsTiniFromTheHostReadOnlyWithTheAppAfterDashDash) {
  std::ofstream(dir_.path() / "tini-static") << "an init";
  inputs_.init_binary = dir_.path() / "tini-static";
  app_.run.init = true;
  app_.run.command = std::vector<std::string>{"sleep", "1000"};
  json config = build();
  EXPECT_EQ(config["process"]["args"], json({"/run/ctapp-init", "-g", "--", "sleep", "1000"}));
  const json* init = mount_at(config, "/run/ctapp-init");
  ASSERT_NE(init, nullptr);
  EXPECT_EQ((*init)["source"], inputs_.init_binary.string());
  EXPECT_TRUE(set_of((*init)["options"]).count("ro"));
}

TEST_F(RuntimeConfigTest, InitWithoutTiniNamesThePackage) {
  inputs_.init_binary = dir_.path() / "missing/tini-static";
  app_.run.init = true;
  app_.source_path = "/etc/containers.d/hard.ctapp";
  auto bundle = build_runtime_config(inputs_);
  ASSERT_FALSE(bundle);
  EXPECT_EQ(bundle.error().message,
            fmt::format("app 'hard' has [run] init = true, but '{}' is missing: install Debian's "
                        "package 'tini' (apt-get install tini), or remove init from "
                        "'/etc/containers.d/hard.ctapp'",
                        inputs_.init_binary.string()));
}

TEST_F(RuntimeConfigTest, SysctlsUlimitsAndAnnotationsReachTheSpec) {
  app_.run.sysctl = {{"net.ipv4.ping_group_range", "0 0"}};
  app_.run.ulimits = {{"RLIMIT_NOFILE", 512, 1024}, {"RLIMIT_CORE", 0, UINT64_MAX}};
  app_.run.annotations = {{"com.example.team", "cache"}};
  json config = build();
  EXPECT_EQ(config["linux"]["sysctl"], json({{"net.ipv4.ping_group_range", "0 0"}}));
  EXPECT_EQ(config["process"]["rlimits"],
            json::parse(R"([{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024},
                            {"type": "RLIMIT_CORE", "soft": 0, "hard": 18446744073709551615}])"));
  EXPECT_EQ(config["annotations"]["com.example.team"], "cache");
  EXPECT_EQ(config["annotations"]["org.ctapp.app"], "hard");
}

TEST_F(RuntimeConfigTest, NoSysctlOrRlimitsUnlessAsked) {
  json config = build();
  EXPECT_FALSE(config["linux"].contains("sysctl"));
  EXPECT_FALSE(config["process"].contains("rlimits"));
}

TEST_F(RuntimeConfigTest, ShmSizeAndTmpfsSizeAndModeAreMountOptions) {
  EXPECT_TRUE(set_of((*mount_at(build(), "/dev/shm"))["options"]).count("size=64M"));
  app_.run.shm_size = "1G";
  app_.run.tmpfs = {{"/tmp", "", "1777"}, {"/cache", "64M", "0700"}};
  json config = build();
  EXPECT_TRUE(set_of((*mount_at(config, "/dev/shm"))["options"]).count("size=1G"));
  EXPECT_EQ((*mount_at(config, "/tmp"))["options"], json({"nosuid", "nodev", "mode=1777"}));
  EXPECT_EQ((*mount_at(config, "/cache"))["options"],
            json({"nosuid", "nodev", "mode=0700", "size=64M"}));
}

}  // namespace
}  // namespace ctapp
