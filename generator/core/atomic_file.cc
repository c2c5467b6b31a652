// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <atomic>
#include <chrono>
#include <memory>

#include "core/unique_fd.h"

namespace ctapp {
namespace {

// Unlinks the temporary file unless the rename succeeded.
class TempFileGuard {
 public:
  explicit TempFileGuard(std::filesystem::path path) : path_(std::move(path)) {}
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  ~TempFileGuard() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  void commit() { path_.clear(); }

 private:
  std::filesystem::path path_;
};

mode_t process_umask() {
  static const mode_t value = [] {
    mode_t current = ::umask(0);
    ::umask(current);
    return current;
  }();
  return value;
}

// open() applies the umask: the mode asked for is set whatever it is.
// Returns 0 or errno.
int force_mode(int fd, mode_t mode) {
  return (mode & process_umask()) != 0 && ::fchmod(fd, mode) < 0 ? errno : 0;
}

// Returns 0 or errno.
int write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

// getrandom(2) rather than std::random_device: seeding a generator costs more
// (cpuid probes, a 2.5 KB state) than the one suffix most commands need. The
// file is created with O_EXCL, so the suffix need only make collisions rare.
std::string random_suffix() {
  uint64_t value = 0;
  if (::getrandom(&value, sizeof value, 0) != static_cast<ssize_t>(sizeof value)) {
    static std::atomic<uint64_t> counter;
    value = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
            (static_cast<uint64_t>(::getpid()) << 40) ^ counter++;
  }
  return fmt::format("{:016x}", value);
}

}  // namespace

Status write_file_atomic(const std::filesystem::path& path, std::string_view content,
                         const WriteOptions& options) {
  const mode_t mode = options.mode;
  if (options.exclusive) {
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) return fail("'{}' already exists", path.string());
  }
  auto temp_path = path;
  temp_path += std::string(kAtomicTempInfix) + random_suffix();
  UniqueFd fd(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd.valid()) return fail("create '{}': {}", temp_path.string(), errno_text(errno));
  TempFileGuard guard(temp_path);
  if (int err = force_mode(fd.get(), mode); err != 0)
    return fail("chmod '{}': {}", temp_path.string(), errno_text(err));
  if (int err = write_all(fd.get(), content); err != 0)
    return fail("write '{}': {}", temp_path.string(), errno_text(err));
  if (options.durable && ::fsync(fd.get()) < 0)
    return fail("fsync '{}': {}", temp_path.string(), errno_text(errno));
  if (::close(fd.release()) < 0) return fail("close '{}': {}", temp_path.string(), errno_text(errno));
  if (options.exclusive) {
    // link() fails with EEXIST where rename() would silently replace.
    if (::link(temp_path.c_str(), path.c_str()) < 0)
      return fail("create '{}': {}", path.string(), errno_text(errno));
    return {};
  }
  if (::rename(temp_path.c_str(), path.c_str()) < 0)
    return fail("rename '{}' to '{}': {}", temp_path.string(), path.string(), errno_text(errno));
  guard.commit();
  return {};
}

Status write_file_in_place(int dir_fd, const std::filesystem::path& dir, std::string_view name,
                           std::string_view content, mode_t mode) {
  const std::string relative(name);
  UniqueFd fd(::openat(dir_fd, relative.c_str(),
                       O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd.valid()) return fail("create '{}': {}", (dir / relative).string(), errno_text(errno));
  if (int err = force_mode(fd.get(), mode); err != 0)
    return fail("chmod '{}': {}", (dir / relative).string(), errno_text(err));
  if (int err = write_all(fd.get(), content); err != 0)
    return fail("write '{}': {}", (dir / relative).string(), errno_text(err));
  if (::close(fd.release()) < 0)
    return fail("close '{}': {}", (dir / relative).string(), errno_text(errno));
  return {};
}

Result<bool> write_file_if_changed(const std::filesystem::path& path, std::string_view content,
                                   const WriteOptions& options) {
  if (!options.exclusive) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW));
    struct stat st;
    if (fd.valid() && ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) &&
        (st.st_mode & 07777) == options.mode && st.st_uid == ::geteuid() &&
        st.st_gid == ::getegid() && static_cast<size_t>(st.st_size) == content.size()) {
      std::string existing(content.size(), '\0');
      size_t have = 0;
      while (have < existing.size()) {
        ssize_t n = ::read(fd.get(), existing.data() + have, existing.size() - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += static_cast<size_t>(n);
      }
      if (have == content.size() && existing == content) return false;
    }
  }
  if (auto written = write_file_atomic(path, content, options); !written)
    return std::unexpected(written.error());
  return true;
}

Result<std::string> read_file(const std::filesystem::path& path, size_t max_size) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (a FIFO named
  // NAME.ctapp would otherwise stop the generator, and the boot with it).
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) return fail("open '{}': {}", path.string(), errno_text(errno));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return fail("stat '{}': {}", path.string(), errno_text(errno));
  if (!S_ISREG(st.st_mode))
    return fail("'{}' is not a regular file: only regular files are read", path.string());
  // One read() for the usual file: ask for one byte more than its size, and
  // a shorter answer from a regular file with a size is its end. Files that
  // report no size (/proc, /sys) are read until read() returns 0.
  const auto size = static_cast<size_t>(st.st_size);
  std::string content(size > 0 && size <= max_size ? size + 1 : 65536, '\0');
  size_t used = 0;
  while (true) {
    if (used == content.size()) content.resize(content.size() * 2);
    const size_t asked = content.size() - used;
    ssize_t n = ::read(fd.get(), content.data() + used, asked);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("read '{}': {}", path.string(), errno_text(errno));
    }
    used += static_cast<size_t>(n);
    if (used > max_size) return fail("'{}' is larger than {} bytes", path.string(), max_size);
    if (n == 0 || (size > 0 && used == size && static_cast<size_t>(n) < asked)) break;
  }
  content.resize(used);
  return content;
}

Result<std::vector<std::string>> list_directory(const std::filesystem::path& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> stream(::opendir(dir.c_str()), ::closedir);
  if (!stream) return fail("open directory '{}': {}", dir.string(), errno_text(errno));
  std::vector<std::string> names;
  while (true) {
    errno = 0;
    const dirent* entry = ::readdir(stream.get());
    if (!entry) break;
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  if (errno != 0) return fail("read directory '{}': {}", dir.string(), errno_text(errno));
  return names;
}

}  // namespace ctapp
