// SPDX-License-Identifier: LGPL-2.1-or-later
// The layer applier on arbitrary bytes, taken as a layer blob (libarchive
// detects gzip or zstd itself) or, by the first byte's low bit, gzipped
// first; its second bit applies the layer twice, so that whiteouts, opaque
// markers and hard links meet what an earlier layer made. The rootfs is
// unpacked inside a parent directory that also holds a sentinel file and a
// sentinel directory. Invariants after every input, checked cheaply: no
// crash or exception; the sentinels are unchanged (content, inode, link
// count, mtime); the parent and the scratch directory list exactly what
// they did (no temporary left after a failure); an accepted rootfs holds no
// whiteout name and no hard link to a sentinel. The rootfs is removed
// between inputs.
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "unpack/unpack.h"

namespace {

namespace fs = std::filesystem;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

struct Sentinel {
  dev_t device = 0;
  ino_t inode = 0;
  nlink_t links = 0;
  timespec mtime{};
};

struct Scratch {
  fs::path top, parent, rootfs, blob;
  Sentinel file, dir;
};

Sentinel stat_sentinel(const fs::path& path) {
  struct stat st;
  check(::lstat(path.c_str(), &st) == 0);
  return {st.st_dev, st.st_ino, st.st_nlink, st.st_mtim};
}

bool same(const Sentinel& a, const Sentinel& b) {
  return a.inode == b.inode && a.links == b.links && a.mtime.tv_sec == b.mtime.tv_sec &&
         a.mtime.tv_nsec == b.mtime.tv_nsec;
}

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) names.insert(entry.path().filename());
  check(!error);
  return names;
}

std::string read_all(const fs::path& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  check(fd >= 0);
  char buffer[256];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

void write_all(const fs::path& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  check(fd >= 0);
  check(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
  ::close(fd);
}

Scratch& scratch() {
  static Scratch* s = [] {
    auto* made = new Scratch;
    std::string pattern = (fs::temp_directory_path() / "layer-apply-fuzz-XXXXXX").string();
    check(::mkdtemp(pattern.data()) != nullptr);
    made->top = pattern;
    made->parent = made->top / "parent";
    made->rootfs = made->parent / "rootfs";
    made->blob = made->top / "layer.blob";
    fs::create_directories(made->parent / "sentinel-dir");
    write_all(made->parent / "sentinel", "sentinel");
    write_all(made->parent / "sentinel-dir" / "inner", "inner");
    made->file = stat_sentinel(made->parent / "sentinel");
    made->dir = stat_sentinel(made->parent / "sentinel-dir");
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(scratch().top, ignored);
    });
    return made;
  }();
  return *s;
}

std::string gzip(const uint8_t* data, size_t size) {
  z_stream stream{};
  check(deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&stream, size) + 32, '\0');
  stream.next_in = const_cast<Bytef*>(data);
  stream.avail_in = static_cast<uInt>(size);
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  check(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// An accepted rootfs: no whiteout or opaque name survives, and nothing in it
// is a hard link to the sentinel (its link count is checked separately).
const Scratch* walking = nullptr;
int check_rootfs_entry(const char* path, const struct stat* st, int, FTW* ftw) {
  std::string_view name(path + ftw->base);
  check(!name.starts_with(".wh."));
  check(st->st_ino != walking->file.inode || st->st_dev != walking->file.device);
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > (1 << 20)) return 0;
  Scratch& s = scratch();
  uint8_t mode = data[0];
  ++data;
  --size;
  if (mode & 1)
    write_all(s.blob, gzip(data, size));
  else
    write_all(s.blob, std::string(reinterpret_cast<const char*>(data), size));
  std::vector<ctapp::LayerBlob> layers(mode & 2 ? 2 : 1, ctapp::LayerBlob{s.blob, "", "", "", -1});
  ctapp::UnpackLimits limits{64 << 20, 10000};
  auto result = ctapp::unpack_rootfs(layers, s.rootfs, {}, limits);

  check(read_all(s.parent / "sentinel") == "sentinel");
  check(read_all(s.parent / "sentinel-dir" / "inner") == "inner");
  check(same(stat_sentinel(s.parent / "sentinel"), s.file));
  check(same(stat_sentinel(s.parent / "sentinel-dir"), s.dir));
  check(listing(s.parent / "sentinel-dir") == std::set<std::string>{"inner"});
  check(listing(s.top) == (std::set<std::string>{"parent", "layer.blob"}));
  auto parent = listing(s.parent);
  if (result) {
    check(parent == (std::set<std::string>{"rootfs", "sentinel", "sentinel-dir"}));
    walking = &s;
    check(::nftw(s.rootfs.c_str(), check_rootfs_entry, 64, FTW_PHYS) == 0);
  } else {
    check(!result.error().message.empty());
    check(parent == (std::set<std::string>{"sentinel", "sentinel-dir"}));
  }
  std::error_code ignored;
  fs::remove_all(s.rootfs, ignored);
  check(!fs::exists(fs::symlink_status(s.rootfs)));
  return 0;
}
