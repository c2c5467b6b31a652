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

}  // namespace
}  // namespace ctapp
