// SPDX-License-Identifier: LGPL-2.1-or-later
#include "unpack/unpack.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/unique_fd.h"
#include "unpack/entry_writer.h"
#include "unpack/layer_names.h"
#include "unpack/layer_stream.h"
#include "unpack/rootfs_paths.h"
#include "unpack/xattr_policy.h"

namespace ctapp {
namespace {

constexpr std::string_view kTempPrefix = ".unpacking-";

std::string short_digest(const std::string& digest) { return digest.substr(0, 19); }

Result<uint64_t> limit_from_environment(const char* variable, uint64_t fallback) {
  const char* text = std::getenv(variable);
  if (!text || !*text) return fallback;
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text, text + std::strlen(text), value);
  if (error != std::errc() || *end != '\0' || value == 0)
    return fail("{}='{}' is not a positive number: unset it or give a count", variable, text);
  return value;
}

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
  LayerApplier(int root_fd, const IdShift& shift, const UnpackLimits& limits)
      : root_fd_(root_fd), shift_(shift), limits_(limits), budget_{limits.max_bytes, 0, false} {}

  Status apply(const LayerBlob& layer) {
    Status applied;
    {  // (the stream's thread counts in budget_ until the stream is gone)
      auto stream = LayerStream::open(layer.blob, budget_);
      applied = stream ? apply_entries(layer, **stream) : std::unexpected(wrap(layer_name(layer), stream.error()));
    }
    if (!applied && budget_.exceeded)
      return fail("{}: the image unpacks to more than {} bytes: it may be a decompression bomb; "
                  "if it is really that large, raise CTAPP_UNPACK_MAX_BYTES",
                  layer_name(layer), limits_.max_bytes);
    return applied;
  }

  // Directory metadata last, deepest first: writing into a directory
  // changes its mtime, and a read-only mode could block its children.
  Status finish() {
    for (auto it = directories_.rbegin(); it != directories_.rend(); ++it)
      if (auto finished = finish_directory(root_fd_, it->second); !finished) return finished;
    return {};
  }

  const UnpackReport& report() const { return report_; }

 private:
  Status apply_entries(const LayerBlob& layer, LayerStream& stream) {
    std::set<std::string> created;
    std::vector<std::string> opaque_dirs;
    while (true) {
      auto entry = stream.next_entry();
      if (!entry) return std::unexpected(wrap(layer_name(layer), entry.error()));
      if (!*entry) break;
      if (++entries_ > limits_.max_entries)
        return fail("{}: the image has more than {} entries; if it really has that many, raise "
                    "CTAPP_UNPACK_MAX_ENTRIES",
                    layer_name(layer), limits_.max_entries);
      const char* raw = archive_entry_pathname(*entry);
      std::string raw_name = raw ? raw : "";
      auto name = parse_layer_entry_name(raw_name);
      if (!name) return fail("{}: entry '{}': {}", layer_name(layer), raw_name, name.error().message);
      Status status;
      switch (name->kind) {
        case LayerEntryName::Kind::kRoot:
          break;
        case LayerEntryName::Kind::kOpaque:
          // It may come after siblings this layer adds: apply at the end.
          opaque_dirs.push_back(name->path);
          break;
        case LayerEntryName::Kind::kWhiteout:
          status = apply_whiteout(root_fd_, name->path, created);
          break;
        case LayerEntryName::Kind::kContent:
          status = write_content(name->path, stream, *entry, created);
          break;
      }
      if (!status) return fail("{}: entry '{}': {}", layer_name(layer), raw_name, status.error().message);
    }
    for (const auto& dir : opaque_dirs)
      if (auto applied = apply_opaque(root_fd_, dir, created); !applied)
        return fail("{}: opaque directory '{}': {}", layer_name(layer), dir, applied.error().message);
    auto digests = stream.finish();
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

  Status write_content(const std::string& path, LayerStream& stream, archive_entry* entry,
                       std::set<std::string>& created) {
    for (auto& dropped : drop_forbidden_xattrs(entry)) ++report_.dropped_xattrs[dropped];
    if (auto shifted = shift_entry_ids(entry, shift_); !shifted) return shifted;
    auto written = write_entry(root_fd_, path, stream.tar(), entry);
    if (!written) return std::unexpected(written.error());
    created.insert(path);
    directories_.erase(path);
    if (written->has_value()) directories_[path] = std::move(**written);
    return {};
  }

  static std::string layer_name(const LayerBlob& layer) {
    return fmt::format("layer {}", layer.digest.empty() ? layer.blob.string() : short_digest(layer.digest));
  }

  int root_fd_;
  IdShift shift_;
  UnpackLimits limits_;
  ByteBudget budget_;
  uint64_t entries_ = 0;
  UnpackReport report_;
  std::map<std::string, DirectoryMetadata> directories_;
};

}  // namespace

Result<UnpackLimits> UnpackLimits::from_environment() {
  UnpackLimits limits;
  auto bytes = limit_from_environment("CTAPP_UNPACK_MAX_BYTES", limits.max_bytes);
  if (!bytes) return std::unexpected(bytes.error());
  auto entries = limit_from_environment("CTAPP_UNPACK_MAX_ENTRIES", limits.max_entries);
  if (!entries) return std::unexpected(entries.error());
  limits.max_bytes = *bytes;
  limits.max_entries = *entries;
  return limits;
}

std::string describe_dropped_xattrs(const UnpackReport& report) {
  if (report.dropped_xattrs.empty()) return "";
  uint64_t total = 0;
  std::vector<std::string> names;
  for (const auto& [name, count] : report.dropped_xattrs) {
    total += count;
    names.push_back(fmt::format("{} ({})", name, count));
  }
  return fmt::format("dropped {} extended attribute{} an image may not set: {}", total,
                     total == 1 ? "" : "s", fmt::join(names, ", "));
}

Result<UnpackReport> unpack_rootfs(const std::vector<LayerBlob>& layers,
                                   const std::filesystem::path& target, const IdShift& shift,
                                   std::optional<UnpackLimits> limits) {
  if (!limits) {
    auto configured = UnpackLimits::from_environment();
    if (!configured) return std::unexpected(configured.error());
    limits = *configured;
  }
  // Refused before any work: a compressed blob larger than the bound would
  // unpack beyond it too.
  uint64_t described = 0;
  for (const auto& layer : layers) {
    if (layer.size < 0) continue;
    described += static_cast<uint64_t>(layer.size);
    if (described > limits->max_bytes)
      return fail("layer {}: the image's layers are {} bytes or more, more than the {} bytes an "
                  "image may unpack to; if it is really that large, raise CTAPP_UNPACK_MAX_BYTES",
                  short_digest(layer.digest), described, limits->max_bytes);
  }
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
  LayerApplier applier(root.get(), shift, *limits);
  for (const auto& layer : layers) {
    if (auto applied = applier.apply(layer); !applied) {
      remove_temp();
      return std::unexpected(applied.error());
    }
  }
  if (auto finished = applier.finish(); !finished) {
    remove_temp();
    return std::unexpected(finished.error());
  }
  if (::rename(temp.c_str(), target.c_str()) < 0) {
    int err = errno;
    remove_temp();
    return fail("move the unpacked rootfs to '{}': {}", target.string(), errno_text(err));
  }
  return applier.report();
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
