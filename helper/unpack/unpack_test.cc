// SPDX-License-Identifier: LGPL-2.1-or-later
// Layer application rules (OCI image spec) and the safety of the rootfs,
// with layers built by the test. Runs as root (owners, devices, xattrs).
#include "unpack/unpack.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <cstring>
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
  Result<UnpackReport> unpack(const std::vector<TestLayer>& layers,
                              TestLayer::Compression compression = TestLayer::Compression::kGzip) {
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

// POSIX ACL xattr (version 2): a header, then {tag u16, perm u16, id u32}.
std::string acl_xattr(uint32_t named_user, uint32_t named_group) {
  std::string acl;
  auto put16 = [&](uint16_t v) { acl.append(reinterpret_cast<const char*>(&v), 2); };
  auto put32 = [&](uint32_t v) { acl.append(reinterpret_cast<const char*>(&v), 4); };
  auto entry = [&](uint16_t tag, uint16_t perm, uint32_t id) { put16(tag); put16(perm); put32(id); };
  put32(2);
  entry(0x01, 7, 0xffffffff);   // owner
  entry(0x02, 6, named_user);   // a named user
  entry(0x04, 5, 0xffffffff);   // owning group
  entry(0x08, 4, named_group);  // a named group
  entry(0x10, 6, 0xffffffff);   // mask
  entry(0x20, 4, 0xffffffff);   // other
  return acl;
}

std::string xattr_of(const fs::path& path, const char* name) {
  char value[256];
  ssize_t n = ::lgetxattr(path.c_str(), name, value, sizeof value);
  return n < 0 ? "<none>" : std::string(value, static_cast<size_t>(n));
}

constexpr IdShift kShift{0x70000000, 65536};

TEST_F(UnpackTest, AShiftOwnsEveryEntryAndTheIdsInsideXattrsInTheAppsRange) {
  // A v3 file capability: magic/revision, permitted and inheritable for two
  // words, then the namespace root's uid (0 in the image).
  std::string capability("\x00\x00\x00\x03\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                         "\x00\x00\x00\x00\x00\x00\x00\x00", 24);
  std::vector<LayerBlob> blobs{
      TestLayer().dir("etc").file("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
          .dir("data", 0700, 999, 998)
          .file("data/shared", "x", 0640, 100, 101,
                {{"system.posix_acl_access", acl_xattr(1000, 1001)}})
          .file("ping", "elf", 0755, 0, 0, {{"security.capability", capability}})
          .symlink("link", "etc/passwd")
          .write(work_.path())};
  ASSERT_TRUE(unpack_rootfs(blobs, rootfs_, kShift));
  auto owner = [&](const std::string& path) {
    auto st = stat_of(path);
    return std::pair{st.st_uid, st.st_gid};
  };
  EXPECT_EQ(owner(""), std::pair(0x70000000u, 0x70000000u));
  EXPECT_EQ(owner("etc/passwd"), std::pair(0x70000000u, 0x70000000u));
  EXPECT_EQ(owner("data"), std::pair(0x70000000u + 999, 0x70000000u + 998));
  EXPECT_EQ(owner("data/shared"), std::pair(0x70000000u + 100, 0x70000000u + 101));
  EXPECT_EQ(owner("link"), std::pair(0x70000000u, 0x70000000u));
  EXPECT_EQ(xattr_of(rootfs_ / "data/shared", "system.posix_acl_access"),
            acl_xattr(0x70000000u + 1000, 0x70000000u + 1001));
  auto stored_cap = xattr_of(rootfs_ / "ping", "security.capability");
  ASSERT_EQ(stored_cap.size(), 24u);
  uint32_t rootid;
  std::memcpy(&rootid, stored_cap.data() + 20, 4);
  EXPECT_EQ(rootid, 0x70000000u);
}

TEST_F(UnpackTest, AnIdBeyondTheRangeFailsNamingItAndLeavesNoRootfs) {
  auto owned = unpack_rootfs({TestLayer().file("big", "x", 0644, 70000, 0).write(work_.path())},
                             rootfs_, kShift);
  ASSERT_FALSE(owned);
  EXPECT_THAT(owned.error().message,
              HasSubstr("entry 'big': uid 70000 is beyond the 65536 ids (0-65535) that the app's "
                        "user namespace maps: run it with user_namespace = \"host\""));
  EXPECT_FALSE(fs::exists(rootfs_));
  auto acl = unpack_rootfs({TestLayer().file("f", "x", 0644, 0, 0,
                                             {{"system.posix_acl_access", acl_xattr(1, 65536)}})
                                .write(work_.path())},
                           rootfs_, kShift);
  ASSERT_FALSE(acl);
  EXPECT_THAT(acl.error().message, HasSubstr("ACL gid 65536 is beyond the 65536 ids"));
}

}  // namespace
}  // namespace ctapp
