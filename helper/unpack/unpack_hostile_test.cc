// SPDX-License-Identifier: LGPL-2.1-or-later
// Hostile layers: names that a whiteout, an opaque marker or a hard link
// turns into ".", ".." or nothing; xattrs an image may not set; archives
// that libarchive cannot describe; decompression bombs. Each is built here.
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/atomic_file.h"
#include "core/test_temp_dir.h"
#include "store/sha256.h"
#include "unpack/test_layer.h"
#include "unpack/unpack.h"

namespace ctapp {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class HostileLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The rootfs' parent holds more than the rootfs: a hostile ".." must not
    // reach it, nor the sibling directory `outside`.
    fs::create_directories(bundle_ / "sentinel-dir");
    ASSERT_TRUE(write_file_atomic(bundle_ / "sentinel", "bundle"));
    ASSERT_TRUE(write_file_atomic(bundle_ / "sentinel-dir" / "file", "bundle-dir"));
    fs::create_directories(outside_);
    ASSERT_TRUE(write_file_atomic(outside_ / "victim", "precious"));
  }
  // Everything under the rootfs' parent (but the rootfs) and `outside`.
  std::vector<std::string> around_rootfs() {
    std::vector<std::string> listing;
    for (const auto& top : {bundle_, outside_}) {
      for (const auto& entry : fs::recursive_directory_iterator(top)) {
        if (entry.path() == rootfs_ || entry.path().string().starts_with(rootfs_.string() + "/"))
          continue;
        listing.push_back(entry.path().string() + ":" +
                          (entry.is_regular_file() ? read_file(entry.path()).value_or("") : ""));
      }
    }
    std::sort(listing.begin(), listing.end());
    return listing;
  }
  std::string layer_prefix(const LayerBlob& blob) { return "layer " + blob.digest.substr(0, 19) + ": "; }

  TestTempDir work_;
  fs::path bundle_ = work_.path() / "bundle";
  fs::path rootfs_ = bundle_ / "rootfs";
  fs::path outside_ = work_.path() / "outside";
};

struct HostileName {
  TestLayer layer;
  std::string message;  // after "layer sha256:...: "
};

TEST_F(HostileLayerTest, EveryNameDerivedFromAnEntryMustBeAPlainFileNameOrTheLayerIsRefused) {
  const std::string not_a_name =
      "is not a file name (it would act on a directory, not on an entry in it)";
  const std::vector<HostileName> cases = {
      {TestLayer().file(".wh.", ""),
       "entry '.wh.': the whiteout '.wh.' must name a file beside it: a name is empty"},
      {TestLayer().file(".wh..", ""),
       "entry '.wh..': the whiteout '.wh..' must name a file beside it: '.' " + not_a_name},
      {TestLayer().file(".wh...", ""),
       "entry '.wh...': the whiteout '.wh...' must name a file beside it: '..' " + not_a_name},
      {TestLayer().file("d/.wh.", ""),
       "entry 'd/.wh.': the whiteout '.wh.' must name a file beside it: a name is empty"},
      {TestLayer().file("d/.wh..", ""),
       "entry 'd/.wh..': the whiteout '.wh..' must name a file beside it: '.' " + not_a_name},
      {TestLayer().file("./d/.wh...", ""),
       "entry './d/.wh...': the whiteout '.wh...' must name a file beside it: '..' " + not_a_name},
      {TestLayer().file(".wh.d/f", "x"),
       "entry '.wh.d/f': '.wh.d' begins with the whiteout prefix '.wh.', which only the last "
       "component of an entry may carry"},
      {TestLayer().file("d/.wh..wh..opq/f", "x"),
       "entry 'd/.wh..wh..opq/f': '.wh..wh..opq' begins with the whiteout prefix '.wh.', which "
       "only the last component of an entry may carry"},
      {TestLayer().file("d/.wh..wh.f", ""),
       "entry 'd/.wh..wh.f': '.wh..wh.f' begins with the reserved prefix '.wh..wh.' and is not "
       "the opaque marker '.wh..wh..opq'"},
      {TestLayer().hardlink("h", "."),
       "entry 'h': hard link 'h' -> '.': the name is empty or names the root itself"},
      {TestLayer().hardlink("h", "d/.."),
       "entry 'h': hard link 'h' -> 'd/..': the name contains '..' (it would leave the rootfs)"},
      {TestLayer().hardlink("h", "d/.wh.f"),
       "entry 'h': hard link 'h' -> 'd/.wh.f': '.wh.f' begins with the whiteout prefix '.wh.', "
       "which only the last component of an entry may carry"},
  };
  auto lower = TestLayer().dir("d").file("d/f", "lower").write(work_.path());
  for (const auto& hostile : cases) {
    SCOPED_TRACE(hostile.message);
    auto before = around_rootfs();
    auto blob = hostile.layer.write(work_.path());
    auto result = unpack_rootfs({lower, blob}, rootfs_);
    if (result)
      ADD_FAILURE() << "the layer was accepted";
    else
      EXPECT_EQ(result.error().message, layer_prefix(blob) + hostile.message);
    EXPECT_EQ(around_rootfs(), before);
    EXPECT_EQ(read_file(bundle_ / "sentinel").value_or("<gone>"), "bundle");
    EXPECT_FALSE(fs::exists(rootfs_));
    fs::remove_all(rootfs_);
    SetUp();  // should a regression have removed them
  }
}

TEST_F(HostileLayerTest, OpaqueMarkersAndWhiteoutsThatNamePlainFilesStillWork) {
  ASSERT_TRUE(unpack_rootfs({TestLayer().dir("d").file("d/f", "x").file("...", "dots")
                                 .write(work_.path()),
                             TestLayer().file(".wh...." , "").opaque("d").file("d/g", "new")
                                 .write(work_.path())},
                            rootfs_));
  EXPECT_FALSE(fs::exists(rootfs_ / "..."));
  EXPECT_FALSE(fs::exists(rootfs_ / "d/f"));
  EXPECT_TRUE(fs::exists(rootfs_ / "d/g"));
}

std::string xattr_of(const fs::path& path, const char* name) {
  char value[256];
  ssize_t n = ::lgetxattr(path.c_str(), name, value, sizeof value);
  return n < 0 ? "<none>" : std::string(value, static_cast<size_t>(n));
}

TEST_F(HostileLayerTest, XattrsAnImageMayNotSetAreDroppedAndCounted) {
  std::string capability("\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  std::vector<std::pair<std::string, std::string>> xattrs = {
      {"trusted.overlay.opaque", "y"},
      {"trusted.overlay.redirect", "/etc"},
      {"trusted.overlay.metacopy", ""},
      {"trusted.other", "x"},
      {"security.selinux", "system_u:object_r:shadow_t:s0"},
      {"user.overlay.opaque", "y"},
      {"security.capability", capability},
      {"user.note", "kept"}};
  auto result = unpack_rootfs({TestLayer().dir("d").file("d/f", "x", 0755, 0, 0, xattrs)
                                   .file("g", "y", 0644, 0, 0, {{"trusted.overlay.opaque", "y"}})
                                   .write(work_.path())},
                              rootfs_);
  ASSERT_TRUE(result) << result.error().message;
  for (const char* dropped : {"trusted.overlay.opaque", "trusted.overlay.redirect",
                              "trusted.overlay.metacopy", "trusted.other", "security.selinux",
                              "user.overlay.opaque"}) {
    EXPECT_EQ(xattr_of(rootfs_ / "d/f", dropped), "<none>") << dropped;
  }
  EXPECT_EQ(xattr_of(rootfs_ / "g", "trusted.overlay.opaque"), "<none>");
  EXPECT_EQ(xattr_of(rootfs_ / "d/f", "security.capability"), capability);
  EXPECT_EQ(xattr_of(rootfs_ / "d/f", "user.note"), "kept");
  EXPECT_EQ(describe_dropped_xattrs(*result),
            "dropped 7 extended attributes an image may not set: security.selinux (1), "
            "trusted.other (1), trusted.overlay.metacopy (1), trusted.overlay.opaque (2), "
            "trusted.overlay.redirect (1), user.overlay.opaque (1)");
}

// One 512-byte ustar header block with its checksum.
std::string tar_header(const std::string& name, char type, size_t size) {
  std::string block(512, '\0');
  auto put = [&](size_t offset, const std::string& text) { block.replace(offset, text.size(), text); };
  put(0, name);
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  char octal[16];
  std::snprintf(octal, sizeof octal, "%011zo", size);
  put(124, octal);
  put(136, "00000000000");
  block[156] = type;
  put(257, "ustar");
  put(263, "00");
  put(148, "        ");
  unsigned sum = 0;
  for (unsigned char c : block) sum += c;
  std::snprintf(octal, sizeof octal, "%06o", sum);
  block.replace(148, 7, std::string(octal, 6) + '\0');
  return block;
}

std::string padded(std::string data) {
  data.resize((data.size() + 511) / 512 * 512, '\0');
  return data;
}

LayerBlob raw_layer(const fs::path& dir, const std::string& name, const std::string& bytes) {
  auto path = dir / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return LayerBlob{path, "application/vnd.oci.image.layer.v1.tar", "", ""};
}

TEST_F(HostileLayerTest, APaxRecordWithAnEmptyKeyFailsWithAMessageInsteadOfAborting) {
  std::string record = "6 =ab\n";
  std::string tar = tar_header("PaxHeaders/f", 'x', record.size()) + padded(record) +
                    tar_header("f", '0', 1) + padded("x") + std::string(1024, '\0');
  auto blob = raw_layer(work_.path(), "pax.tar", tar);
  auto result = unpack_rootfs({blob}, rootfs_);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "layer " + blob.blob.string() + ": unknown error");
  EXPECT_FALSE(fs::exists(rootfs_));
}

std::string from_hex(std::string_view hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return bytes;
}

TEST_F(HostileLayerTest, ACorruptGzipLayerFailsWithAMessageInsteadOfAborting) {
  // A gzipped tar whose deflate data the layer_apply fuzz target garbled:
  // libarchive fails on it without an error string.
  auto blob = raw_layer(
      work_.path(), "corrupt.tar.gz",
      from_hex("1f8b0800000000000203edd74d0a83301404e0ac7b0a6f909fbe24276857bd84298242ab6014da55"
               "afde87bb5a105c2408996f93e026812163d24c77291253cc5bbb8c6c3d2e734dd690f78a96efce3a"
               "232a2b3298e3548fbca42853c3f9b7439cfafad9a4ccdf116de44fbff96b75d656540af9271786d7"
               "4940b142d71fb2ff2747ffe7ca3fccf1cd3d90317fdace2fa7ffb577e8ff1c3e97db152d5876ffc7"
               "367dff6fdfff56fdafb571dcff3a4739157efe1f5d485d48bec6eefc95e799b8cc1c47997a8385e7"
               "5f8778c4fc0df1fbdf487e9de2ff0f00000000000000000000b0db170570b0280000"));
  auto result = unpack_rootfs({blob}, rootfs_);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "layer " + blob.blob.string() + ": '" + blob.blob.string() + "': unknown error");
  EXPECT_FALSE(fs::exists(rootfs_));
  // Corruption all over the deflate data: libarchive says what it found.
  auto garbled = TestLayer().file("a", std::string(200000, 'x')).file("b", "y").write(work_.path());
  std::string bytes = *read_file(garbled.blob);
  for (size_t i = 20; i < bytes.size() - 16; i += 7) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  ASSERT_TRUE(write_file_atomic(garbled.blob, bytes));
  auto failed = unpack_rootfs({garbled}, rootfs_);
  ASSERT_FALSE(failed);
  EXPECT_THAT(failed.error().message, HasSubstr("layer " + garbled.digest.substr(0, 19) + ": "));
  EXPECT_FALSE(fs::exists(rootfs_));
}

constexpr UnpackLimits kSmall{1 << 20, 100};

TEST_F(HostileLayerTest, ADecompressionBombEndsAtTheByteBoundNamingTheLayer) {
  auto blob = TestLayer().file("zeros", std::string(8 << 20, '\0')).write(work_.path());
  ASSERT_LT(fs::file_size(blob.blob), 100000u);
  auto result = unpack_rootfs({blob}, rootfs_, {}, kSmall);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            layer_prefix(blob) + "the image unpacks to more than 1048576 bytes: it may be a "
                                 "decompression bomb; if it is really that large, raise "
                                 "CTAPP_UNPACK_MAX_BYTES");
  EXPECT_FALSE(fs::exists(rootfs_));
  EXPECT_EQ(around_rootfs().size(), 4u);  // sentinels only: no temporary left
}

TEST_F(HostileLayerTest, TheByteBoundCoversAllLayersAndDataAfterTheTarsEnd) {
  auto first = TestLayer().file("a", std::string(600000, 'a')).write(work_.path());
  auto second = TestLayer().file("b", std::string(600000, 'b')).write(work_.path());
  auto both = unpack_rootfs({first, second}, rootfs_, {}, kSmall);
  ASSERT_FALSE(both);
  EXPECT_THAT(both.error().message, HasSubstr(layer_prefix(second) + "the image unpacks to more"));
  // A tar's end-of-archive blocks, then megabytes the digest must still cover.
  auto tail = TestLayer().file("a", "x").write(work_.path(), TestLayer::Compression::kNone);
  std::ofstream(tail.blob, std::ios::binary | std::ios::app) << std::string(2 << 20, '\0');
  auto trailing = unpack_rootfs({tail}, rootfs_, {}, kSmall);
  ASSERT_FALSE(trailing);
  EXPECT_THAT(trailing.error().message, HasSubstr("the image unpacks to more than 1048576 bytes"));
}

TEST_F(HostileLayerTest, TooManyEntriesEndAtTheEntryBound) {
  TestLayer many;
  for (int i = 0; i < 150; ++i) many.file("f" + std::to_string(i), "");
  auto blob = many.write(work_.path());
  auto result = unpack_rootfs({blob}, rootfs_, {}, kSmall);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            layer_prefix(blob) + "the image has more than 100 entries; if it really has that "
                                 "many, raise CTAPP_UNPACK_MAX_ENTRIES");
  EXPECT_FALSE(fs::exists(rootfs_));
}

TEST_F(HostileLayerTest, AnAbsurdDescriptorSizeIsRefusedBeforeAnyWork) {
  auto blob = TestLayer().file("a", "x").write(work_.path());
  blob.size = int64_t{1} << 50;
  auto result = unpack_rootfs({blob}, rootfs_, {}, kSmall);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            layer_prefix(blob) + "the image's layers are 1125899906842624 bytes or more, more "
                                 "than the 1048576 bytes an image may unpack to; if it is really "
                                 "that large, raise CTAPP_UNPACK_MAX_BYTES");
  EXPECT_FALSE(fs::exists(bundle_ / "rootfs"));
}

TEST_F(HostileLayerTest, TheBoundsComeFromTheEnvironment) {
  TestLayer many;
  for (int i = 0; i < 10; ++i) many.file("f" + std::to_string(i), "");
  auto blob = many.write(work_.path());
  ::setenv("CTAPP_UNPACK_MAX_ENTRIES", "5", 1);
  auto bounded = unpack_rootfs({blob}, rootfs_);
  ::setenv("CTAPP_UNPACK_MAX_ENTRIES", "five", 1);
  auto invalid = unpack_rootfs({blob}, rootfs_);
  ::unsetenv("CTAPP_UNPACK_MAX_ENTRIES");
  ASSERT_FALSE(bounded);
  EXPECT_THAT(bounded.error().message, HasSubstr("the image has more than 5 entries"));
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().message,
            "CTAPP_UNPACK_MAX_ENTRIES='five' is not a positive number: unset it or give a count");
  EXPECT_TRUE(unpack_rootfs({blob}, rootfs_));
}

}  // namespace
}  // namespace ctapp
