// SPDX-License-Identifier: LGPL-2.1-or-later
// What an image's files and config may not make prepare do: block on a
// FIFO at /etc/passwd, read a device or a huge file, or spend quadratic
// time on its declared volumes. Runs as root (mknod).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bundle/runtime_config.h"
#include "bundle/user_lookup.h"
#include "core/atomic_file.h"
#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

namespace fs = std::filesystem;

class ImageFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(rootfs_ / "etc"); }
  TestTempDir work_;
  fs::path rootfs_ = work_.path() / "rootfs";
};

TEST_F(ImageFilesTest, AFifoAtEtcPasswdFailsAtOnceInsteadOfBlocking) {
  ASSERT_EQ(::mkfifo((rootfs_ / "etc/passwd").c_str(), 0644), 0);
  auto lookup = std::async(std::launch::async, [&] { return resolve_user(rootfs_, "app"); });
  if (lookup.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "resolve_user blocked on the FIFO";
    // Let the blocked reader go, so the test ends.
    int writer = ::open((rootfs_ / "etc/passwd").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (writer >= 0) ::close(writer);
    return;
  }
  auto result = lookup.get();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "the image's /etc/passwd is not a regular file: rebuild the image with a real "
            "/etc/passwd");
}

TEST_F(ImageFilesTest, ALinkToTheImagesDevZeroIsNotRead) {
  fs::create_directories(rootfs_ / "dev");
  ASSERT_EQ(::mknod((rootfs_ / "dev/zero").c_str(), S_IFCHR | 0666, makedev(1, 5)), 0);
  fs::create_symlink("/dev/zero", rootfs_ / "etc/group");
  ASSERT_TRUE(write_file_atomic(rootfs_ / "etc/passwd", "app:x:100:100::/:/bin/sh\n"));
  auto result = resolve_user(rootfs_, "app");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "the image's /etc/group is not a regular file: rebuild the image with a real "
            "/etc/group");
}

TEST_F(ImageFilesTest, AHugeEtcPasswdIsRefused) {
  {
    std::string line = "app:x:100:100::/:/bin/sh\n";
    std::string text;
    while (text.size() <= (4u << 20)) text += line;
    ASSERT_TRUE(write_file_atomic(rootfs_ / "etc/passwd", text));
  }
  auto result = resolve_user(rootfs_, "app");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "the image's /etc/passwd is larger than 4194304 bytes");
}

TEST_F(ImageFilesTest, LinksInsideTheRootfsAndMissingFilesStillWork) {
  fs::create_directories(rootfs_ / "usr/lib");
  ASSERT_TRUE(write_file_atomic(rootfs_ / "usr/lib/passwd", "app:x:100:101::/:/bin/sh\n"));
  fs::create_symlink("/usr/lib/passwd", rootfs_ / "etc/passwd");
  auto result = resolve_user(rootfs_, "app");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->uid, 100u);
  EXPECT_EQ(result->gid, 101u);
  EXPECT_TRUE(resolve_user(rootfs_, "7:8"));  // no /etc/group at all
}

TEST_F(ImageFilesTest, AUserInManyGroupsResolvesInLinearTime) {
  ASSERT_TRUE(write_file_atomic(rootfs_ / "etc/passwd", "app:x:100:100::/:/bin/sh\n"));
  std::string groups;
  for (int gid = 1000; gid < 201000; ++gid) groups += "g" + std::to_string(gid) + ":x:" + std::to_string(gid) + ":app\n";
  ASSERT_LT(groups.size(), 4u << 20);
  ASSERT_TRUE(write_file_atomic(rootfs_ / "etc/group", groups));
  auto result = resolve_user(rootfs_, "app");
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->additional_gids.size(), 200000u);
}

// 200,000 volumes: a quadratic duplicate check needs minutes here (and
// trips the test's timeout); a linear one about a second.
TEST_F(ImageFilesTest, ManyImageVolumesAreCollectedInLinearTime) {
  constexpr int kVolumes = 200000;
  AppConfig app;
  app.name = "many";
  app.volumes.push_back({"/v7", "", true});
  nlohmann::json image = {{"Cmd", {"/bin/true"}}, {"Volumes", nlohmann::json::object()}};
  for (int i = 0; i < kVolumes; ++i) image["Volumes"]["/v" + std::to_string(i)] = nlohmann::json::object();
  BundleInputs inputs;
  inputs.app = &app;
  inputs.image_config = &image;
  inputs.rootfs = rootfs_;
  inputs.root_path = work_.path() / "merged";
  inputs.data_dir = work_.path() / "data";
  inputs.notify_dir = work_.path() / "notify";
  auto bundle = build_runtime_config(inputs);
  ASSERT_TRUE(bundle) << bundle.error().message;
  ASSERT_EQ(bundle->volumes.size(), static_cast<size_t>(kVolumes));
  size_t read_only = 0;
  for (const auto& mount : bundle->config["mounts"])
    if (mount["destination"] == "/v7") read_only += mount["options"].back() == "ro";
  EXPECT_EQ(read_only, 1u);
}

}  // namespace
}  // namespace ctapp
