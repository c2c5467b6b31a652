// SPDX-License-Identifier: LGPL-2.1-or-later
#include "unpack/unpack.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include "core/unique_fd.h"
#include "unpack/entry_writer.h"
#include "unpack/layer_stream.h"
#include "unpack/rootfs_paths.h"

namespace ctapp {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr std::string_view kTempPrefix = ".unpacking-";

std::string short_digest(const std::string& digest) { return digest.substr(0, 19); }

// Deletes whatever lower layers put at `path` unless this layer created it:
// the spec's whiteouts only apply to lower layers.
Status apply_whiteout(int root_fd, const std::string& path, const std::set<std::string>& created) {
  if (created.contains(path)) return {};
  auto parent = open_parent(root_fd, path, false);
  if (!parent) return {};  // nothing there to hide
  return remove_tree_at(parent->fd.get(), parent->name);
}

// Removes, below `dir`, everything this layer did not create itself.
Status apply_opaque(int root_fd, const std::string& dir, const std::set<std::string>& created) {
  UniqueFd fd(open_in_root(root_fd, dir, O_DIRECTORY | O_RDONLY | O_NOFOLLOW));
  if (!fd.valid()) return {};
  auto children = directory_children(fd.get(), dir);
  if (!children) return std::unexpected(children.error());
  for (const auto& name : *children) {
    std::string child = dir.empty() ? name : dir + "/" + name;
    Status status;
    if (!created.contains(child)) {
      status = remove_tree_at(fd.get(), name);
    } else {
      struct stat st;
      if (::fstatat(fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
        status = apply_opaque(root_fd, child, created);
    }
    if (!status) return status;
  }
  return {};
}

class LayerApplier {
 public:
  LayerApplier(int root_fd, const IdShift& shift) : root_fd_(root_fd), shift_(shift) {}

  Status apply(const LayerBlob& layer) {
    auto stream = LayerStream::open(layer.blob);
    if (!stream) return std::unexpected(wrap(layer_name(layer), stream.error()));
    std::set<std::string> created;
    std::vector<std::string> opaque_dirs;
    while (true) {
      auto entry = (*stream)->next_entry();
      if (!entry) return std::unexpected(wrap(layer_name(layer), entry.error()));
      if (!*entry) break;
      const char* raw_name = archive_entry_pathname(*entry);
      auto path = clean_entry_path(raw_name ? raw_name : "");
      if (!path) {
        // "./" (the root itself) carries no content of its own.
        if (raw_name && clean_entry_path(std::string(raw_name) + "/x")) continue;
        return fail("{}: entry '{}': {}", layer_name(layer), raw_name ? raw_name : "",
                    path.error().message);
      }
      auto slash = path->rfind('/');
      std::string base = slash == std::string::npos ? *path : path->substr(slash + 1);
      std::string dir = slash == std::string::npos ? "" : path->substr(0, slash);
      Status status;
      if (base == kOpaqueMarker) {
        // It may come after siblings this layer adds: apply at the end.
        opaque_dirs.push_back(dir);
      } else if (base.starts_with(kWhiteoutPrefix)) {
        std::string hidden = (dir.empty() ? "" : dir + "/") + base.substr(kWhiteoutPrefix.size());
        status = apply_whiteout(root_fd_, hidden, created);
      } else {
        status = shift_entry_ids(*entry, shift_);
        auto written = status ? write_entry(root_fd_, *path, (*stream)->tar(), *entry)
                              : std::unexpected(status.error());
        if (!written) {
          status = std::unexpected(written.error());
        } else {
          created.insert(*path);
          directories_.erase(*path);
          if (written->has_value()) directories_[*path] = std::move(**written);
        }
      }
      if (!status) return fail("{}: entry '{}': {}", layer_name(layer), *path, status.error().message);
    }
    for (const auto& dir : opaque_dirs)
      if (auto applied = apply_opaque(root_fd_, dir, created); !applied)
        return fail("{}: opaque directory '{}': {}", layer_name(layer), dir, applied.error().message);
    auto digests = (*stream)->finish();
    if (!digests) return std::unexpected(wrap(layer_name(layer), digests.error()));
    if (!layer.digest.empty() && digests->first != layer.digest)
      return fail("{}: the blob's digest is {}: the blob is corrupt; remove it from the store "
                  "and pull the image again",
                  layer_name(layer), digests->first);
    if (!layer.diff_id.empty() && digests->second != layer.diff_id)
      return fail("{}: the uncompressed layer's digest is {}, but the image config says {} "
                  "(rootfs.diff_ids)",
                  layer_name(layer), digests->second, layer.diff_id);
    return {};
  }

  // Directory metadata last, deepest first: writing into a directory
  // changes its mtime, and a read-only mode could block its children.
  Status finish() {
    for (auto it = directories_.rbegin(); it != directories_.rend(); ++it)
      if (auto finished = finish_directory(root_fd_, it->second); !finished) return finished;
    return {};
  }

 private:
  static std::string layer_name(const LayerBlob& layer) {
    return fmt::format("layer {}", layer.digest.empty() ? layer.blob.string() : short_digest(layer.digest));
  }

  int root_fd_;
  IdShift shift_;
  std::map<std::string, DirectoryMetadata> directories_;
};

}  // namespace

Status unpack_rootfs(const std::vector<LayerBlob>& layers, const std::filesystem::path& target,
                     const IdShift& shift) {
  std::error_code error;
  if (std::filesystem::exists(target, error)) return fail("'{}' already exists", target.string());
  auto parent = target.parent_path();
  std::filesystem::create_directories(parent, error);
  if (error) return fail("create '{}': {}", parent.string(), error.message());
  std::string pattern = (parent / (std::string(kTempPrefix) + target.filename().string() + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) return fail("create a directory in '{}': {}", parent.string(), errno_text(errno));
  std::filesystem::path temp = pattern;
  auto remove_temp = [&] {
    std::error_code ignored;
    std::filesystem::remove_all(temp, ignored);
  };
  UniqueFd root(::open(temp.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!root.valid() || ::fchmod(root.get(), 0755) < 0 ||
      (shift.active() && ::fchown(root.get(), shift.offset, shift.offset) < 0)) {
    remove_temp();
    return fail("open '{}': {}", temp.string(), errno_text(errno));
  }
  LayerApplier applier(root.get(), shift);
  for (const auto& layer : layers) {
    if (auto applied = applier.apply(layer); !applied) {
      remove_temp();
      return applied;
    }
  }
  if (auto finished = applier.finish(); !finished) {
    remove_temp();
    return finished;
  }
  if (::fsync(root.get()) < 0 || ::rename(temp.c_str(), target.c_str()) < 0) {
    int err = errno;
    remove_temp();
    return fail("move the unpacked rootfs to '{}': {}", target.string(), errno_text(err));
  }
  return {};
}

void remove_stale_unpacks(const std::filesystem::path& dir) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (!entry.path().filename().string().starts_with(kTempPrefix)) continue;
    std::error_code ignored;
    std::filesystem::remove_all(entry.path(), ignored);
  }
}

}  // namespace ctapp
