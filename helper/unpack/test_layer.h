// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "unpack/unpack.h"

namespace ctapp {

// Builds a layer blob for tests with libarchive's writer (pax tar, so
// xattrs travel as SCHILY.xattr records, as in real images).
class TestLayer {
 public:
  enum class Compression { kNone, kGzip, kZstd };

  TestLayer& file(const std::string& path, const std::string& content, mode_t mode = 0644,
                  uid_t uid = 0, gid_t gid = 0,
                  std::vector<std::pair<std::string, std::string>> xattrs = {});
  TestLayer& dir(const std::string& path, mode_t mode = 0755, uid_t uid = 0, gid_t gid = 0);
  TestLayer& symlink(const std::string& path, const std::string& target);
  TestLayer& hardlink(const std::string& path, const std::string& target);
  TestLayer& whiteout(const std::string& path);  // writes DIR/.wh.NAME
  TestLayer& opaque(const std::string& dir);     // writes DIR/.wh..wh..opq
  TestLayer& fifo(const std::string& path);
  TestLayer& char_device(const std::string& path, unsigned major, unsigned minor);
  TestLayer& mtime(time_t seconds);  // for the entries added after this call

  // Writes the blob into `dir` and returns it with its digest and diff_id.
  LayerBlob write(const std::filesystem::path& dir, Compression compression = Compression::kGzip) const;

 private:
  struct Entry {
    std::string path;
    mode_t type_and_mode = 0;
    std::string content;
    std::string link;
    bool hardlink = false;
    uid_t uid = 0;
    gid_t gid = 0;
    unsigned major = 0, minor = 0;
    time_t mtime = 0;
    std::vector<std::pair<std::string, std::string>> xattrs;
  };
  std::vector<Entry> entries_;
  time_t mtime_ = 1700000000;
};

}  // namespace ctapp
