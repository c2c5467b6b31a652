// SPDX-License-Identifier: LGPL-2.1-or-later
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/test_temp_dir.h"
#include "devices/cdi_registry.h"
#include "devices/cdi_spec.h"

namespace ctapp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kYamlSpec = R"(cdiVersion: "0.6.0"
kind: vendor.example/tpu
containerEdits:
  env:
    - TPU_DRIVER=1
devices:
  - name: card0
    containerEdits:
      deviceNodes:
        - path: /dev/tpu0
          hostPath: /dev/null
          permissions: rw
          fileMode: 0640
          gid: 44
      mounts:
        - hostPath: /usr/lib/tpu
          containerPath: /usr/lib/tpu
          options: [ro, nosuid]
      additionalGIDs: [44]
  - name: "1"
    containerEdits:
      env: ["TPU_INDEX=1"]
)";

void write(const std::filesystem::path& file, std::string_view text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

TEST(CdiSpec, YamlSpecWithEveryEditCtappApplies) {
  auto spec = parse_cdi_spec(kYamlSpec, "/etc/cdi/tpu.yaml");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ("vendor.example/tpu", spec->kind);
  EXPECT_THAT(spec->edits.env, ElementsAre("TPU_DRIVER=1"));
  ASSERT_EQ(2u, spec->devices.size());
  const CdiEdits& card = spec->devices[0].edits;
  ASSERT_EQ(1u, card.device_nodes.size());
  EXPECT_EQ("/dev/tpu0", card.device_nodes[0].path);
  EXPECT_EQ("/dev/null", card.device_nodes[0].host_path);
  EXPECT_EQ("rw", card.device_nodes[0].permissions);
  EXPECT_EQ(0640u, card.device_nodes[0].file_mode.value_or(0));  // YAML 1.1 octal, as Go reads it
  EXPECT_EQ(44u, card.device_nodes[0].gid.value_or(0));
  ASSERT_EQ(1u, card.mounts.size());
  EXPECT_THAT(card.mounts[0].options, ElementsAre("ro", "nosuid"));
  EXPECT_THAT(card.additional_gids, ElementsAre(44u));
  EXPECT_EQ("1", spec->devices[1].name);  // a quoted number stays a name
  EXPECT_TRUE(card.unsupported.empty());
}

TEST(CdiSpec, JsonSpecIsReadThroughTheJsonReader) {
  auto spec = parse_cdi_spec(R"({"cdiVersion": "0.5.0", "kind": "v.example/c",
    "devices": [{"name": "a", "containerEdits": {"deviceNodes": [{"path": "/dev/x", "type": "c",
    "major": 1, "minor": 3}]}}]})",
                             "/etc/cdi/v.json");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(1, spec->devices[0].edits.device_nodes[0].major.value_or(-1));
}

TEST(CdiSpec, MalformedSpecsFailNamingFileAndField) {
  auto no_kind = parse_cdi_spec("cdiVersion: 0.6.0\ndevices: []\n", "/etc/cdi/a.yaml");
  ASSERT_FALSE(no_kind);
  EXPECT_THAT(no_kind.error().message, HasSubstr("/etc/cdi/a.yaml"));
  EXPECT_THAT(no_kind.error().message, HasSubstr("kind"));
  auto bad_kind = parse_cdi_spec("cdiVersion: 0.6.0\nkind: novendor\ndevices: []\n",
                                 "/etc/cdi/b.yaml");
  ASSERT_FALSE(bad_kind);
  EXPECT_EQ("CDI spec '/etc/cdi/b.yaml': 'novendor' is not a CDI kind: write 'vendor.com/class'",
            bad_kind.error().message);
  auto not_yaml = parse_cdi_spec("kind: [unclosed\n", "/etc/cdi/c.yaml");
  ASSERT_FALSE(not_yaml);
  EXPECT_THAT(not_yaml.error().message, HasSubstr("'/etc/cdi/c.yaml': not YAML"));
  auto bad_perm = parse_cdi_spec(R"(cdiVersion: 0.6.0
kind: v.example/c
devices:
  - name: a
    containerEdits:
      deviceNodes: [{path: /dev/x, permissions: rwx}]
)",
                                 "/etc/cdi/d.yaml");
  ASSERT_FALSE(bad_perm);
  EXPECT_THAT(bad_perm.error().message, HasSubstr("'rwx' is not a device permission"));
}

TEST(CdiSpec, AliasBombIsRefusedNotExpanded) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char name = 'b'; name <= 'k'; ++name, ++prev)
    bomb += fmt::format("{}: &{} [*{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}]\n", name, name,
                        prev, prev, prev, prev, prev, prev, prev, prev, prev, prev);
  auto spec = parse_cdi_spec(bomb, "/etc/cdi/bomb.yaml");
  ASSERT_FALSE(spec);
  EXPECT_THAT(spec.error().message, HasSubstr("more than 200000 values"));
}

TEST(CdiRegistry, FindsDevicesAndListsKnownNamesWhenOneIsMissing) {
  TestTempDir root;
  write(root.path() / "etc/cdi/tpu.yaml", kYamlSpec);
  write(root.path() / "etc/cdi/broken.json", "{");
  write(root.path() / "etc/cdi/ignored.txt", "not a spec");
  auto registry = CdiRegistry::load(cdi_spec_dirs(root.path()));
  EXPECT_THAT(registry.known_names(), ElementsAre("vendor.example/tpu=1", "vendor.example/tpu=card0"));
  auto found = registry.find("vendor.example/tpu=card0");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ("card0", found->device->name);
  auto missing = registry.find("vendor.example/tpu=card9");
  ASSERT_FALSE(missing);
  EXPECT_EQ(fmt::format("no CDI device 'vendor.example/tpu=card9' in the specs of '{0}/etc/cdi' "
                        "and '{0}/var/run/cdi' (known: vendor.example/tpu=1, "
                        "vendor.example/tpu=card0); specs that could not be read: '{0}/etc/cdi/"
                        "broken.json' is not valid JSON (error at byte 2): install the vendor's "
                        "CDI spec (e.g. 'nvidia-ctk cdi generate') or fix the name",
                        root.path().string()),
            missing.error().message);
}

TEST(CdiRegistry, RunDirectoryOverridesEtcAndSameDirectoryDuplicatesConflict) {
  TestTempDir root;
  write(root.path() / "etc/cdi/a.yaml", kYamlSpec);
  write(root.path() / "var/run/cdi/b.json",
        R"({"cdiVersion": "0.6.0", "kind": "vendor.example/tpu", "devices": [{"name": "card0",
            "containerEdits": {"env": ["FROM_RUN=1"]}}]})");
  auto registry = CdiRegistry::load(cdi_spec_dirs(root.path()));
  auto found = registry.find("vendor.example/tpu=card0");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_THAT(found->device->edits.env, ElementsAre("FROM_RUN=1"));

  write(root.path() / "etc/cdi/z.yaml", kYamlSpec);
  auto conflicting = CdiRegistry::load(cdi_spec_dirs(root.path()));
  auto twice = conflicting.find("vendor.example/tpu=1");
  ASSERT_FALSE(twice);
  EXPECT_THAT(twice.error().message, HasSubstr("is defined twice"));
}

TEST(CdiRegistry, HooksAreRefusedWhenTheDeviceIsAskedFor) {
  TestTempDir root;
  write(root.path() / "etc/cdi/h.yaml", R"(cdiVersion: 0.6.0
kind: v.example/h
devices:
  - name: plain
    containerEdits: {env: [A=1]}
  - name: hooked
    containerEdits:
      hooks: [{hookName: createContainer, path: /usr/bin/true}]
)");
  auto registry = CdiRegistry::load(cdi_spec_dirs(root.path()));
  EXPECT_TRUE(registry.find("v.example/h=plain"));
  auto hooked = registry.find("v.example/h=hooked");
  ASSERT_FALSE(hooked);
  EXPECT_EQ(fmt::format("CDI device 'v.example/h=hooked' needs containerEdits hooks ('{}/etc/cdi/"
                        "h.yaml'), which ctapp does not apply (it applies deviceNodes, env, mounts "
                        "and additionalGIDs): ask the vendor for a spec without them, or give the "
                        "device nodes as paths in [run] devices",
                        root.path().string()),
            hooked.error().message);
}

}  // namespace
}  // namespace ctapp
