// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/oci_archive.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "core/unique_fd.h"
#include "store/archive_error.h"

namespace ctapp {
namespace {

struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchiveReader = std::unique_ptr<archive, ArchiveReadDeleter>;

// The plain components of an entry name ("./" and "/" dropped); fails for
// "..", and for names that are empty or the top directory itself.
Result<std::vector<std::string>> entry_components(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    std::string part = name.substr(start, slash - start);
    if (part == "..") return fail("the name contains '..'");
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    start = slash + 1;
  }
  return parts;
}

const char* type_name(mode_t type) {
  switch (type) {
    case AE_IFLNK: return "a symlink";
    case AE_IFIFO: return "a FIFO";
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFSOCK: return "a socket";
    default: return "of an unknown type";
  }
}

class Extractor {
 public:
  Extractor(archive* reader, int root_fd, const ArchiveLimits& limits)
      : reader_(reader), root_fd_(root_fd), limits_(limits) {}

  Status run() {
    uint64_t entries = 0;
    while (true) {
      archive_entry* entry = nullptr;
      int status = archive_read_next_header(reader_, &entry);
      if (status == ARCHIVE_EOF) return {};
      if (auto bounded = check_bytes(); !bounded) return bounded;
      if (status < ARCHIVE_WARN) return fail("{}", archive_error(reader_));
      if (++entries > limits_.max_entries)
        return fail("it has more than {} entries; if it really has that many, raise "
                    "CTAPP_UNPACK_MAX_ENTRIES",
                    limits_.max_entries);
      const char* raw = archive_entry_pathname(entry);
      std::string name = raw ? raw : "";
      if (auto written = write(name, entry); !written)
        return fail("entry '{}': {}", name, written.error().message);
    }
  }

 private:
  Status check_bytes() {
    if (static_cast<uint64_t>(archive_filter_bytes(reader_, 0)) > limits_.max_bytes)
      return fail("it unpacks to more than {} bytes; if it is really that large, raise "
                  "CTAPP_UNPACK_MAX_BYTES",
                  limits_.max_bytes);
    return {};
  }

  Status write(const std::string& name, archive_entry* entry) {
    auto parts = entry_components(name);
    if (!parts) return std::unexpected(parts.error());
    mode_t type = archive_entry_filetype(entry);
    if (archive_entry_hardlink(entry))
      return fail("it is a hard link: an oci-archive may only hold regular files and directories");
    if (type != AE_IFREG && type != AE_IFDIR)
      return fail("it is {}: an oci-archive may only hold regular files and directories",
                  type_name(type));
    if (parts->empty()) {
      if (type == AE_IFDIR) return {};  // "./"
      return fail("the name is empty");
    }
    auto parent = open_directory(*parts, parts->size() - 1);
    if (!parent) return std::unexpected(parent.error());
    const std::string& last = parts->back();
    if (type == AE_IFDIR) {
      if (::mkdirat(parent->get(), last.c_str(), 0700) < 0 && errno != EEXIST)
        return fail("create directory: {}", errno_text(errno));
      return {};
    }
    UniqueFd file(::openat(parent->get(), last.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!file.valid()) {
      if (errno == EEXIST) return fail("the archive holds this name twice");
      return fail("create: {}", errno_text(errno));
    }
    return copy_data(file.get());
  }

  // The directory of the first `count` components, made where missing;
  // never through a link (the tree holds none, and O_NOFOLLOW keeps it so).
  Result<UniqueFd> open_directory(const std::vector<std::string>& parts, size_t count) {
    UniqueFd current(::fcntl(root_fd_, F_DUPFD_CLOEXEC, 0));
    for (size_t i = 0; i < count; ++i) {
      const char* part = parts[i].c_str();
      if (::mkdirat(current.get(), part, 0700) < 0 && errno != EEXIST)
        return fail("create directory '{}': {}", parts[i], errno_text(errno));
      UniqueFd next(::openat(current.get(), part, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!next.valid()) return fail("open directory '{}': {}", parts[i], errno_text(errno));
      current = std::move(next);
    }
    return current;
  }

  Status copy_data(int fd) {
    const void* block;
    size_t size;
    la_int64_t offset;
    int status;
    while ((status = archive_read_data_block(reader_, &block, &size, &offset)) == ARCHIVE_OK) {
      if (auto bounded = check_bytes(); !bounded) return bounded;
      const char* data = static_cast<const char*>(block);
      size_t written = 0;
      while (written < size) {
        ssize_t n = ::pwrite(fd, data + written, size - written, offset + static_cast<off_t>(written));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("write: {}", errno_text(errno));
        written += static_cast<size_t>(n);
      }
    }
    if (status != ARCHIVE_EOF) return fail("read: {}", archive_error(reader_));
    return check_bytes();
  }

  archive* reader_;
  int root_fd_;
  ArchiveLimits limits_;
};

}  // namespace

Result<ExtractedArchive> ExtractedArchive::extract(const std::filesystem::path& archive_path,
                                                   const std::filesystem::path& temp_parent,
                                                   const ArchiveLimits& limits) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer before fstat
  // can refuse it.
  UniqueFd source(::open(archive_path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!source.valid()) return fail("open '{}': {}", archive_path.string(), errno_text(errno));
  struct stat st;
  if (::fstat(source.get(), &st) < 0) return fail("stat '{}': {}", archive_path.string(), errno_text(errno));
  if (!S_ISREG(st.st_mode))
    return fail("'{}' is not a regular file: an oci-archive: source must be an archive file",
                archive_path.string());
  int flags = ::fcntl(source.get(), F_GETFL);
  if (flags < 0 || ::fcntl(source.get(), F_SETFL, flags & ~O_NONBLOCK) < 0)
    return fail("'{}': {}", archive_path.string(), errno_text(errno));

  auto temp = TempDir::create(temp_parent, "archive");
  if (!temp) return std::unexpected(temp.error());
  ExtractedArchive extracted{std::move(*temp)};  // removes it on every failure below
  UniqueFd root(::dup(extracted.dir_.fd()));
  if (!root.valid()) return fail("dup: {}", errno_text(errno));

  ArchiveReader reader(archive_read_new());
  if (!reader) return fail("'{}': cannot allocate an archive reader", archive_path.string());
  archive_read_support_filter_gzip(reader.get());
  archive_read_support_filter_zstd(reader.get());
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_fd(reader.get(), source.get(), 1 << 16) != ARCHIVE_OK)
    return fail("'{}' is not a tar archive: {}", archive_path.string(), archive_error(reader.get()));
  if (auto done = Extractor(reader.get(), root.get(), limits).run(); !done)
    return fail("oci-archive '{}': {}", archive_path.string(), done.error().message);
  return extracted;
}


}  // namespace ctapp
