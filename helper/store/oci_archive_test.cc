// SPDX-License-Identifier: LGPL-2.1-or-later
// oci-archive: extraction with archives built here: only regular files and
// directories, bounded, from a regular file, and nothing left on failure.
#include "store/oci_archive.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>

#include <archive.h>
#include <archive_entry.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/atomic_file.h"
#include "core/test_temp_dir.h"

namespace ctapp {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct Entry {
  std::string name;
  mode_t type = AE_IFREG;
  std::string content;  // or a link target
  bool hardlink = false;
};

void write_tar(const fs::path& path, const std::vector<Entry>& entries, bool gzip = false) {
  archive* out = archive_write_new();
  archive_write_set_format_pax_restricted(out);
  if (gzip) archive_write_add_filter_gzip(out);
  archive_write_open_filename(out, path.c_str());
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    if (e.hardlink) {
      archive_entry_set_hardlink(entry, e.content.c_str());
    } else {
      archive_entry_set_filetype(entry, e.type);
      archive_entry_set_perm(entry, e.type == AE_IFDIR ? 0755 : 0644);
      if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.content.c_str());
      if (e.type == AE_IFREG) archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
    }
    archive_write_header(out, entry);
    if (e.type == AE_IFREG && !e.hardlink) archive_write_data(out, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(out);
  archive_write_free(out);
}

constexpr ArchiveLimits kLimits{1 << 20, 100};

class OciArchiveTest : public ::testing::Test {
 protected:
  // Extracts within 20 s or fails the test (an endless read would hang it).
  Result<std::string> extract(const fs::path& archive, ArchiveLimits limits = kLimits) {
    auto job = std::async(std::launch::async, [=, this]() -> Result<std::string> {
      auto extracted = ExtractedArchive::extract(archive, temp_, limits);
      if (!extracted) return std::unexpected(extracted.error());
      return read_file(extracted->dir() / "index.json", 4096);
    });
    if (job.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "extracting '" << archive << "' did not end";
      std::abort();  // the reader cannot be interrupted; do not hang the suite
    }
    return job.get();
  }
  // Nothing but the lock that guards creating temporaries (temp_file.h).
  bool temp_is_empty() {
    auto names = list_directory(temp_);
    return !names || names->empty() || (names->size() == 1 && names->front() == "temp.lock");
  }

  TestTempDir work_;
  fs::path temp_ = work_.path() / "store" / ".ctapp-tmp";
  fs::path archive_ = work_.path() / "image.tar";
};

TEST_F(OciArchiveTest, ALayoutOfFilesAndDirectoriesIsExtractedAndRemovedWithItsOwner) {
  write_tar(archive_, {{"./", AE_IFDIR}, {"oci-layout", AE_IFREG, "{}"}, {"index.json", AE_IFREG, "{\"x\":1}"},
                       {"blobs/sha256/abc", AE_IFREG, "blob"}}, true);
  fs::path dir;
  {
    auto extracted = ExtractedArchive::extract(archive_, temp_, kLimits);
    ASSERT_TRUE(extracted) << extracted.error().message;
    dir = extracted->dir();
    EXPECT_EQ(*read_file(dir / "index.json"), "{\"x\":1}");
    EXPECT_EQ(*read_file(dir / "blobs/sha256/abc"), "blob");
    EXPECT_EQ(fs::status(dir).permissions(), fs::perms::owner_all);
  }
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_TRUE(temp_is_empty());
}

TEST_F(OciArchiveTest, EveryEntryThatIsNotAFileOrADirectoryIsRefusedNamingIt) {
  const std::vector<std::pair<Entry, std::string>> cases = {
      {{"index.json", AE_IFLNK, "/dev/zero"},
       "entry 'index.json': it is a symlink: an oci-archive may only hold regular files and "
       "directories"},
      {{"blobs", AE_IFIFO}, "entry 'blobs': it is a FIFO: an oci-archive may only hold regular "
                            "files and directories"},
      {{"index.json", AE_IFCHR}, "entry 'index.json': it is a character device: an oci-archive "
                                 "may only hold regular files and directories"},
      {{"index.json", AE_IFREG, "oci-layout", true},
       "entry 'index.json': it is a hard link: an oci-archive may only hold regular files and "
       "directories"},
      {{"../index.json", AE_IFREG, "{}"}, "entry '../index.json': the name contains '..'"},
  };
  for (const auto& [entry, message] : cases) {
    SCOPED_TRACE(message);
    write_tar(archive_, {{"oci-layout", AE_IFREG, "{}"}, entry});
    auto result = extract(archive_);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message, "oci-archive '" + archive_.string() + "': " + message);
    EXPECT_TRUE(temp_is_empty());
    EXPECT_FALSE(fs::exists(work_.path() / "index.json"));
  }
}

TEST_F(OciArchiveTest, ASourceThatIsNotARegularFileIsRefusedBeforeReading) {
  ASSERT_EQ(::mkfifo((work_.path() / "pipe").c_str(), 0600), 0);
  for (const fs::path& source : {fs::path("/dev/zero"), work_.path() / "pipe"}) {
    auto result = extract(source);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message, "'" + source.string() +
                                          "' is not a regular file: an oci-archive: source must "
                                          "be an archive file");
    EXPECT_TRUE(temp_is_empty());
  }
  // A link to an archive, named by the operator, is fine.
  write_tar(archive_, {{"index.json", AE_IFREG, "{}"}});
  fs::create_symlink(archive_, work_.path() / "link.tar");
  EXPECT_TRUE(extract(work_.path() / "link.tar"));
}

TEST_F(OciArchiveTest, ArchivesBeyondTheBoundsEndWithAClearError) {
  write_tar(archive_, {{"index.json", AE_IFREG, std::string(4 << 20, '\0')}}, true);
  auto big = extract(archive_);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().message, "oci-archive '" + archive_.string() +
                                     "': entry 'index.json': it unpacks to more than 1048576 "
                                     "bytes; if it is really "
                                     "that large, raise CTAPP_UNPACK_MAX_BYTES");
  EXPECT_TRUE(temp_is_empty());
  std::vector<Entry> many;
  for (int i = 0; i < 150; ++i) many.push_back({"f" + std::to_string(i), AE_IFREG, ""});
  write_tar(archive_, many);
  auto crowded = extract(archive_);
  ASSERT_FALSE(crowded);
  EXPECT_THAT(crowded.error().message, HasSubstr("it has more than 100 entries"));
  EXPECT_TRUE(temp_is_empty());
}

TEST_F(OciArchiveTest, ACorruptArchiveFailsWithAMessage) {
  ASSERT_TRUE(write_file_atomic(archive_, std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage", 17)));
  auto result = extract(archive_);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr(archive_.string()));
  EXPECT_TRUE(temp_is_empty());
}

}  // namespace
}  // namespace ctapp
