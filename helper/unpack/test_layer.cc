// SPDX-License-Identifier: LGPL-2.1-or-later
#include "unpack/test_layer.h"

#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "store/sha256.h"

namespace ctapp {

TestLayer& TestLayer::file(const std::string& path, const std::string& content, mode_t mode,
                           uid_t uid, gid_t gid,
                           std::vector<std::pair<std::string, std::string>> xattrs) {
  entries_.push_back({path, S_IFREG | mode, content, "", false, uid, gid, 0, 0, mtime_, std::move(xattrs)});
  return *this;
}

TestLayer& TestLayer::dir(const std::string& path, mode_t mode, uid_t uid, gid_t gid) {
  entries_.push_back({path, S_IFDIR | mode, "", "", false, uid, gid, 0, 0, mtime_, {}});
  return *this;
}

TestLayer& TestLayer::symlink(const std::string& path, const std::string& target) {
  entries_.push_back({path, S_IFLNK | 0777, "", target, false, 0, 0, 0, 0, mtime_, {}});
  return *this;
}

TestLayer& TestLayer::hardlink(const std::string& path, const std::string& target) {
  entries_.push_back({path, S_IFREG | 0644, "", target, true, 0, 0, 0, 0, mtime_, {}});
  return *this;
}

TestLayer& TestLayer::whiteout(const std::string& path) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return file(dir + ".wh." + name, "");
}

TestLayer& TestLayer::opaque(const std::string& dir) { return file(dir + "/.wh..wh..opq", ""); }

TestLayer& TestLayer::fifo(const std::string& path) {
  entries_.push_back({path, S_IFIFO | 0600, "", "", false, 0, 0, 0, 0, mtime_, {}});
  return *this;
}

TestLayer& TestLayer::char_device(const std::string& path, unsigned major, unsigned minor) {
  entries_.push_back({path, S_IFCHR | 0666, "", "", false, 0, 0, major, minor, mtime_, {}});
  return *this;
}

TestLayer& TestLayer::mtime(time_t seconds) {
  mtime_ = seconds;
  return *this;
}

LayerBlob TestLayer::write(const std::filesystem::path& dir, Compression compression) const {
  // The uncompressed tar first (for the diff_id), then the compressed blob.
  auto write_archive = [&](const std::filesystem::path& path, Compression filter) {
    archive* out = archive_write_new();
    archive_write_set_format_pax_restricted(out);
    if (filter == Compression::kGzip) archive_write_add_filter_gzip(out);
    if (filter == Compression::kZstd) archive_write_add_filter_zstd(out);
    archive_write_open_filename(out, path.c_str());
    for (const auto& e : entries_) {
      archive_entry* entry = archive_entry_new();
      archive_entry_set_pathname(entry, e.path.c_str());
      archive_entry_set_uid(entry, e.uid);
      archive_entry_set_gid(entry, e.gid);
      archive_entry_set_mtime(entry, e.mtime, 0);
      if (e.hardlink) {
        archive_entry_set_hardlink(entry, e.link.c_str());
        archive_entry_set_size(entry, 0);
      } else {
        archive_entry_set_mode(entry, e.type_and_mode);
        if (S_ISLNK(e.type_and_mode)) archive_entry_set_symlink(entry, e.link.c_str());
        if (S_ISCHR(e.type_and_mode)) {
          archive_entry_set_rdevmajor(entry, e.major);
          archive_entry_set_rdevminor(entry, e.minor);
        }
        archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
      }
      for (const auto& [name, value] : e.xattrs)
        archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
      archive_write_header(out, entry);
      if (!e.content.empty()) archive_write_data(out, e.content.data(), e.content.size());
      archive_entry_free(entry);
    }
    archive_write_close(out);
    archive_write_free(out);
  };
  static int counter = 0;
  std::string name = "layer-" + std::to_string(++counter);
  auto tar = dir / (name + ".tar");
  auto blob = dir / (name + ".blob");
  write_archive(tar, Compression::kNone);
  write_archive(blob, compression);
  LayerBlob layer;
  layer.blob = blob;
  layer.digest = *sha256_of_file(blob.string());
  layer.diff_id = *sha256_of_file(tar.string());
  layer.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  return layer;
}

}  // namespace ctapp
