// SPDX-License-Identifier: LGPL-2.1-or-later
#include "devices/container_edits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/test_temp_dir.h"
#include "devices/credential_mounts.h"

namespace ctapp {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json minimal_config() {
  return {{"process", {{"env", {"PATH=/bin", "TPU=0"}}, {"user", {{"uid", 0}, {"gid", 0}}}}},
          {"mounts", json::array()},
          {"linux",
           {{"namespaces", {{{"type", "pid"}}, {{"type", "mount"}}}},
            {"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}}}}};
}

TEST(DeviceNodeFromHost, ReadsTypeNumbersAndModeOfTheHostNode) {
  auto node = device_node_from_host("/dev/null", "/dev/nothing", "rw");
  ASSERT_TRUE(node) << node.error().message;
  EXPECT_EQ('c', node->type);
  EXPECT_EQ(1, node->major);
  EXPECT_EQ(3, node->minor);
  EXPECT_EQ("/dev/nothing", node->path);
  EXPECT_EQ("/dev/null", node->host_path);
  EXPECT_EQ("rw", node->permissions);
}

TEST(DeviceNodeFromHost, RefusesWhatIsNotADeviceNode) {
  TestTempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  auto file = device_node_from_host((dir.path() / "file").string(), "", "rwm");
  ASSERT_FALSE(file);
  EXPECT_EQ(fmt::format("device '{}/file' is a regular file: name a character or block device "
                        "node such as /dev/fuse",
                        dir.path().string()),
            file.error().message);
  auto missing = device_node_from_host("/dev/ctapp-no-such-device", "", "rwm");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("'/dev/ctapp-no-such-device'"));
  EXPECT_THAT(missing.error().message, HasSubstr("No such file or directory"));
}

TEST(ResolveDevices, TwoDevicesAtOnePathAreRefusedNamingBoth) {
  AppConfig app;
  app.name = "app";
  app.run.devices = {{"/dev/null", "/dev/x", "rw", ""}, {"/dev/zero", "/dev/x", "r", ""}};
  auto edits = resolve_devices(app, {});
  ASSERT_FALSE(edits);
  EXPECT_EQ("app 'app': two devices appear at '/dev/x' ('/dev/null' and '/dev/zero'): give one of "
            "them another container path ('HOST:CONTAINER')",
            edits.error().message);
  app.run.devices = {{"/dev/null", "", "rw", ""}, {"/dev/zero", "", "r", ""}};
  auto fine = resolve_devices(app, {});
  ASSERT_TRUE(fine) << fine.error().message;
  EXPECT_EQ(2u, fine->devices.size());
}

TEST(ApplyContainerEdits, DeviceGetsANodeAndExactlyOneAllowRuleAfterTheDenyAll) {
  json config = minimal_config();
  ContainerEdits edits;
  edits.devices.push_back({"/dev/xvdc", "/dev/sdc", 'b', 8, 32, 0660, 0, 6, "r"});
  edits.env = {"TPU=1", "NEW=x"};
  edits.mounts.push_back({"/usr/lib/tpu", "/usr/lib/tpu", "bind", {"bind", "ro"}});
  edits.additional_gids = {44};
  apply_container_edits(config, edits);
  EXPECT_EQ(json::parse(R"([{"path": "/dev/xvdc", "type": "b", "major": 8, "minor": 32,
                             "fileMode": 432, "uid": 0, "gid": 6}])"),
            config["linux"]["devices"]);
  EXPECT_EQ(json::parse(R"([{"allow": false, "access": "rwm"},
                            {"allow": true, "type": "b", "major": 8, "minor": 32, "access": "r"}])"),
            config["linux"]["resources"]["devices"]);
  EXPECT_EQ(json::parse(R"(["PATH=/bin", "TPU=1", "NEW=x"])"), config["process"]["env"]);
  EXPECT_EQ("/usr/lib/tpu", config["mounts"][0]["destination"]);
  EXPECT_EQ(json::parse("[44]"), config["process"]["user"]["additionalGids"]);
}

TEST(ApplyContainerEdits, WithAUserNamespaceTheHostNodeIsBoundNotMade) {
  json config = minimal_config();
  config["linux"]["namespaces"].push_back({{"type", "user"}});
  ContainerEdits edits;
  edits.devices.push_back({"/dev/inside", "/dev/fuse", 'c', 10, 229, 0666, 0, 0, "rw"});
  apply_container_edits(config, edits);
  EXPECT_FALSE(config["linux"].contains("devices"));
  EXPECT_EQ(json::parse(R"([{"destination": "/dev/inside", "type": "bind", "source": "/dev/fuse",
                             "options": ["bind", "nosuid", "noexec"]}])"),
            config["mounts"]);
  EXPECT_EQ(2u, config["linux"]["resources"]["devices"].size());
}

TEST(CredentialEdits, UnderSystemdTheUnitsDirectoryIsBoundReadOnly) {
  TestTempDir dir;
  AppConfig app;
  app.name = "app";
  app.run.credentials_as_secrets = true;
  auto edits = credential_edits(app, dir.path().string());
  ASSERT_TRUE(edits) << edits.error().message;
  ASSERT_EQ(2u, edits->mounts.size());
  EXPECT_EQ(dir.path().string(), edits->mounts[0].source);
  EXPECT_EQ("/run/credentials/ctapp", edits->mounts[0].destination);
  EXPECT_THAT(edits->mounts[0].options, ::testing::Contains("ro"));
  EXPECT_EQ("/run/secrets", edits->mounts[1].destination);
  EXPECT_THAT(edits->env, ::testing::ElementsAre("CREDENTIALS_DIRECTORY=/run/credentials/ctapp"));
}

TEST(CredentialEdits, WithoutSystemdEachKeyFileIsBoundFromItsSource) {
  TestTempDir dir;
  std::ofstream(dir.path() / "token") << "secret";
  AppConfig app;
  app.name = "app";
  app.run.credentials = {{"token", (dir.path() / "token").string()}};
  auto edits = credential_edits(app, "");
  ASSERT_TRUE(edits) << edits.error().message;
  ASSERT_EQ(1u, edits->mounts.size());
  EXPECT_EQ("/run/credentials/ctapp/token", edits->mounts[0].destination);
  EXPECT_THAT(edits->mounts[0].options, ::testing::Contains("ro"));

  app.run.credentials = {{"gone", (dir.path() / "gone").string()}};
  auto missing = credential_edits(app, "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(fmt::format("app 'app': credential 'gone': '{}/gone': No such file or directory",
                        dir.path().string()),
            missing.error().message);
}

TEST(CredentialEdits, NoCredentialsNoMountsNoEnvironment) {
  AppConfig app;
  auto edits = credential_edits(app, "");
  ASSERT_TRUE(edits);
  EXPECT_TRUE(edits->mounts.empty());
  EXPECT_TRUE(edits->env.empty());
}

}  // namespace
}  // namespace ctapp
