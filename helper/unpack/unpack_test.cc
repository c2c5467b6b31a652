// SPDX-License-Identifier: LGPL-2.1-or-later
// Layer application rules (OCI image spec) and the safety of the rootfs,
// with layers built by the test. Runs as root (owners, devices, xattrs).
#include "unpack/unpack.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/atomic_file.h"
#include "core/test_temp_dir.h"
#include "unpack/test_layer.h"

namespace ctapp {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class UnpackTest : public ::testing::Test {
 protected:
  Status unpack(const std::vector<TestLayer>& layers, TestLayer::Compression compression =
                                                          TestLayer::Compression::kGzip) {
    std::vector<LayerBlob> blobs;
    for (const auto& layer : layers) blobs.push_back(layer.write(work_.path(), compression));
    return unpack_rootfs(blobs, rootfs_);
  }
  bool exists(const std::string& path) { return fs::exists(fs::symlink_status(rootfs_ / path)); }
  std::string content(const std::string& path) { return read_file(rootfs_ / path).value_or("<none>"); }
  struct stat stat_of(const std::string& path) {
    struct stat st {};
    ::lstat((rootfs_ / path).c_str(), &st);
    return st;
  }
  // Everything under `outside` (a sibling of the rootfs that hostile layers
  // aim at), to prove that nothing there changed.
  std::vector<std::string> outside_listing() {
    std::vector<std::string> listing;
    for (const auto& entry : fs::recursive_directory_iterator(outside_))
      listing.push_back(entry.path().string() + ":" +
                        (entry.is_regular_file() ? read_file(entry.path()).value_or("") : ""));
    std::sort(listing.begin(), listing.end());
    return listing;
  }
  void SetUp() override {
    fs::create_directories(outside_);
    ASSERT_TRUE(write_file_atomic(outside_ / "victim", "precious"));
  }

  TestTempDir work_;
  fs::path rootfs_ = work_.path() / "bundle" / "rootfs";
  fs::path outside_ = work_.path() / "outside";
};

TEST_F(UnpackTest, GzipZstdAndPlainLayersAllUnpack) {
  for (auto compression : {TestLayer::Compression::kNone, TestLayer::Compression::kGzip,
                           TestLayer::Compression::kZstd}) {
    fs::remove_all(rootfs_);
    ASSERT_TRUE(unpack({TestLayer().dir("etc").file("etc/hostname", "box\n")}, compression));
    EXPECT_EQ(content("etc/hostname"), "box\n");
  }
}

TEST_F(UnpackTest, LaterLayersReplaceFilesByUnlinkingNotWritingThrough) {
  ASSERT_TRUE(unpack({TestLayer().file("a", "A").hardlink("b", "a"), TestLayer().file("b", "B")}));
  EXPECT_EQ(content("a"), "A");
  EXPECT_EQ(content("b"), "B");
}

TEST_F(UnpackTest, WhiteoutDeletesWhatALowerLayerAdded) {
  ASSERT_TRUE(unpack({TestLayer().dir("d").file("d/gone", "x").file("d/kept", "y"),
                      TestLayer().whiteout("d/gone")}));
  EXPECT_FALSE(exists("d/gone"));
  EXPECT_TRUE(exists("d/kept"));
  EXPECT_FALSE(exists("d/.wh.gone"));
}

TEST_F(UnpackTest, WhiteoutDoesNotDeleteWhatItsOwnLayerAdds) {
  ASSERT_TRUE(unpack({TestLayer().file("f", "new").whiteout("f")}));
  EXPECT_EQ(content("f"), "new");
}

TEST_F(UnpackTest, WhiteoutOfADirectoryRemovesItsTree) {
  ASSERT_TRUE(unpack({TestLayer().dir("d").dir("d/e").file("d/e/f", "x"), TestLayer().whiteout("d")}));
  EXPECT_FALSE(exists("d"));
}

TEST_F(UnpackTest, OpaqueDirectoryHidesLowerContentButKeepsItsOwnEvenIfMarkedLast) {
  ASSERT_TRUE(unpack({TestLayer().dir("d").file("d/old", "x").dir("d/sub").file("d/sub/deep", "y"),
                      TestLayer().dir("d").file("d/new", "z").dir("d/sub").opaque("d")}));
  EXPECT_EQ(content("d/new"), "z");
  EXPECT_FALSE(exists("d/old"));
  EXPECT_TRUE(exists("d/sub"));
  EXPECT_FALSE(exists("d/sub/deep"));
  EXPECT_FALSE(exists("d/.wh..wh..opq"));
}

TEST_F(UnpackTest, HardLinkToAFileOfAnEarlierLayer) {
  ASSERT_TRUE(unpack({TestLayer().dir("bin").file("bin/busybox", "elf", 0755),
                      TestLayer().hardlink("bin/sh", "bin/busybox")}));
  EXPECT_EQ(stat_of("bin/sh").st_ino, stat_of("bin/busybox").st_ino);
  EXPECT_EQ(stat_of("bin/sh").st_nlink, 2u);
}

TEST_F(UnpackTest, OwnersModesSetuidMtimesAndXattrsAreKept) {
  std::string capability("\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  ASSERT_TRUE(unpack({TestLayer()
                          .mtime(1234567890)
                          .dir("opt", 0750, 42, 43)
                          .file("opt/suid", "x", 04755, 1000, 1001)
                          .file("opt/ping", "y", 0755, 0, 0,
                                {{"security.capability", capability}, {"user.note", "hello"}})
                          .dir("tmp", 01777)}));
  auto suid = stat_of("opt/suid");
  EXPECT_EQ(suid.st_mode & 07777, 04755u);
  EXPECT_EQ(suid.st_uid, 1000u);
  EXPECT_EQ(suid.st_gid, 1001u);
  EXPECT_EQ(suid.st_mtim.tv_sec, 1234567890);
  auto opt = stat_of("opt");
  EXPECT_EQ(opt.st_mode & 07777, 0750u);
  EXPECT_EQ(opt.st_uid, 42u);
  EXPECT_EQ(opt.st_mtim.tv_sec, 1234567890);  // set after its children were written
  EXPECT_EQ(stat_of("tmp").st_mode & 07777, 01777u);
  char value[64];
  ssize_t n = ::lgetxattr((rootfs_ / "opt/ping").c_str(), "security.capability", value, sizeof value);
  ASSERT_EQ(n, 20);
  EXPECT_EQ(std::string(value, 20), capability);
  n = ::lgetxattr((rootfs_ / "opt/ping").c_str(), "user.note", value, sizeof value);
  EXPECT_EQ(std::string(value, static_cast<size_t>(std::max<ssize_t>(n, 0))), "hello");
}

TEST_F(UnpackTest, DevicesFifosAndSymlinks) {
  ASSERT_TRUE(unpack({TestLayer().dir("dev").char_device("dev/null", 1, 3).fifo("run-fifo")
                          .symlink("lib", "usr/lib")}));
  auto null = stat_of("dev/null");
  EXPECT_TRUE(S_ISCHR(null.st_mode));
  EXPECT_EQ(major(null.st_rdev), 1u);
  EXPECT_EQ(minor(null.st_rdev), 3u);
  EXPECT_TRUE(S_ISFIFO(stat_of("run-fifo").st_mode));
  EXPECT_EQ(fs::read_symlink(rootfs_ / "lib"), "usr/lib");
}

TEST_F(UnpackTest, AbsoluteNamesStayInsideTheRootfs) {
  ASSERT_TRUE(unpack({TestLayer().file("/etc/issue", "inside")}));
  EXPECT_EQ(content("etc/issue"), "inside");
}

TEST_F(UnpackTest, DotDotEntryFailsNamingLayerAndEntry) {
  auto layer = TestLayer().file("../../outside/victim", "pwned");
  auto blob = layer.write(work_.path());
  auto result = unpack_rootfs({blob}, rootfs_);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "layer " + blob.digest.substr(0, 19) +
                ": entry '../../outside/victim': the name contains '..' (it would leave the rootfs)");
  EXPECT_EQ(*read_file(outside_ / "victim"), "precious");
  EXPECT_FALSE(fs::exists(rootfs_));
}

TEST_F(UnpackTest, SymlinkInAParentResolvesInsideTheRootfs) {
  auto before = outside_listing();
  // Relative and absolute symlinks aimed at `outside`, from this and an
  // earlier layer; the same path exists inside the rootfs, and that is
  // where entries written "through" them land, as if the rootfs were "/".
  std::string inside = outside_.relative_path().string();
  ASSERT_TRUE(unpack({TestLayer().dir(inside).symlink("up", "../../../../../../../../" + inside)
                          .symlink("abs", outside_.string()),
                      TestLayer().file("up/victim", "pwned").file("abs/new", "pwned")
                          .dir("abs/newdir")}));
  EXPECT_EQ(outside_listing(), before);
  EXPECT_EQ(content(inside + "/victim"), "pwned");
  EXPECT_EQ(content(inside + "/new"), "pwned");
}

TEST_F(UnpackTest, SymlinkToAMissingDirectoryFailsWithoutTouchingTheOutside) {
  auto before = outside_listing();
  auto result = unpack({TestLayer().symlink("abs", outside_.string()),
                        TestLayer().file("abs/victim", "pwned")});
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message,
              HasSubstr("entry 'abs/victim': 'abs' is a symlink to a directory that does not "
                        "exist in the rootfs"));
  EXPECT_EQ(outside_listing(), before);
}

TEST_F(UnpackTest, WhiteoutThroughASymlinkCannotDeleteOutside) {
  auto before = outside_listing();
  ASSERT_TRUE(unpack({TestLayer().symlink("abs", outside_.string()),
                      TestLayer().whiteout("abs/victim").opaque("abs")}));
  EXPECT_EQ(outside_listing(), before);
}

TEST_F(UnpackTest, HardLinkCannotReachOutside) {
  auto hostile = unpack({TestLayer().hardlink("stolen", "../outside/victim")});
  ASSERT_FALSE(hostile);
  EXPECT_THAT(hostile.error().message, HasSubstr("entry 'stolen': hard link 'stolen' -> "
                                                 "'../outside/victim': the name contains '..'"));
  fs::remove_all(rootfs_);
  // Through a symlink in the target's parent: resolved inside the rootfs,
  // where there is no such file.
  auto through = unpack({TestLayer().symlink("abs", outside_.string()),
                         TestLayer().hardlink("stolen", "abs/victim")});
  ASSERT_FALSE(through);
  EXPECT_THAT(through.error().message, HasSubstr("the target does not exist in the rootfs"));
  struct stat st;
  ::stat((outside_ / "victim").c_str(), &st);
  EXPECT_EQ(st.st_nlink, 1u);
}

TEST_F(UnpackTest, ReplacingASymlinkDoesNotFollowIt) {
  auto before = outside_listing();
  ASSERT_TRUE(unpack({TestLayer().symlink("f", (outside_ / "victim").string()),
                      TestLayer().file("f", "replaced")}));
  EXPECT_EQ(content("f"), "replaced");
  EXPECT_EQ(outside_listing(), before);
}

TEST_F(UnpackTest, AWrongDiffIdFailsAndLeavesNoRootfs) {
  auto blob = TestLayer().file("a", "x").write(work_.path());
  blob.diff_id = "sha256:" + std::string(64, '0');
  auto result = unpack_rootfs({blob}, rootfs_);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("but the image config says sha256:0000"));
  EXPECT_FALSE(fs::exists(rootfs_));
  EXPECT_TRUE(fs::is_empty(rootfs_.parent_path()));  // no temporary left either
}

TEST_F(UnpackTest, AWrongBlobDigestFails) {
  auto blob = TestLayer().file("a", "x").write(work_.path());
  blob.digest = "sha256:" + std::string(64, 'f');
  auto result = unpack_rootfs({blob}, rootfs_);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("the blob is corrupt"));
}

TEST_F(UnpackTest, AnExistingTargetIsNeverOverwritten) {
  fs::create_directories(rootfs_);
  auto result = unpack({TestLayer().file("a", "x")});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "'" + rootfs_.string() + "' already exists");
}

TEST_F(UnpackTest, StaleTemporaryDirectoriesAreRemoved) {
  fs::create_directories(rootfs_.parent_path() / ".unpacking-rootfs-abc123/usr");
  fs::create_directories(rootfs_.parent_path() / "keep");
  remove_stale_unpacks(rootfs_.parent_path());
  EXPECT_FALSE(fs::exists(rootfs_.parent_path() / ".unpacking-rootfs-abc123"));
  EXPECT_TRUE(fs::exists(rootfs_.parent_path() / "keep"));
}

TEST_F(UnpackTest, ATruncatedLayerFails) {
  auto blob = TestLayer().file("a", std::string(100000, 'x')).write(work_.path(),
                                                                     TestLayer::Compression::kGzip);
  fs::resize_file(blob.blob, fs::file_size(blob.blob) / 2);
  auto result = unpack_rootfs({blob}, rootfs_);
  ASSERT_FALSE(result);
  EXPECT_FALSE(fs::exists(rootfs_));
}

}  // namespace
}  // namespace ctapp
