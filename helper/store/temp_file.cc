// SPDX-License-Identifier: LGPL-2.1-or-later
#include "store/temp_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

namespace ctapp {
namespace {

// Creating a temp file and locking it are two steps; a sweep between them
// would take the new file for a dead one. Creators hold this lock shared
// across both steps, a sweep holds it exclusively.
constexpr const char* kCreationLock = "temp.lock";

Result<UniqueFd> lock_creation(const std::filesystem::path& dir, int operation) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return fail("create '{}': {}", dir.string(), error.message());
  auto path = dir / kCreationLock;
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return fail("open lock '{}': {}", path.string(), errno_text(errno));
  while (::flock(fd.get(), operation) < 0)
    if (errno != EINTR) return fail("lock '{}': {}", path.string(), errno_text(errno));
  return fd;
}

}  // namespace

Result<TempFile> TempFile::create(const std::filesystem::path& dir, std::string_view prefix) {
  auto creation = lock_creation(dir, LOCK_SH);
  if (!creation) return std::unexpected(creation.error());
  std::string name = (dir / (std::string(prefix) + "-XXXXXX")).string();
  TempFile file;
  file.fd_.reset(::mkostemp(name.data(), O_CLOEXEC));
  if (!file.fd_.valid()) return fail("create a temporary file in '{}': {}", dir.string(), errno_text(errno));
  file.path_ = name;
  if (::flock(file.fd_.get(), LOCK_EX) < 0) return fail("lock '{}': {}", name, errno_text(errno));
  return file;
}

Result<TempDir> TempDir::create(const std::filesystem::path& dir, std::string_view prefix) {
  auto creation = lock_creation(dir, LOCK_SH);
  if (!creation) return std::unexpected(creation.error());
  std::string name = (dir / (std::string(prefix) + "-XXXXXX")).string();
  if (!::mkdtemp(name.data())) return fail("create a directory in '{}': {}", dir.string(), errno_text(errno));
  TempDir made;
  made.path_ = name;
  made.fd_.reset(::open(name.c_str(), O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!made.fd_.valid()) return fail("open '{}': {}", name, errno_text(errno));
  if (::flock(made.fd_.get(), LOCK_EX) < 0) return fail("lock '{}': {}", name, errno_text(errno));
  return made;
}

TempDir::TempDir(TempDir&& other) noexcept
    : fd_(std::move(other.fd_)), path_(std::exchange(other.path_, {})) {}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

TempFile::TempFile(TempFile&& other) noexcept
    : fd_(std::move(other.fd_)), path_(std::exchange(other.path_, {})) {}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    remove();
    fd_ = std::move(other.fd_);
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

TempFile::~TempFile() { remove(); }

void TempFile::remove() {
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
  fd_.reset();
}

Status sweep_stale_temp_files(const std::filesystem::path& dir, const std::vector<std::string_view>& prefixes) {
  auto creation = lock_creation(dir, LOCK_EX);
  if (!creation) return std::unexpected(creation.error());
  std::unique_ptr<DIR, int (*)(DIR*)> listing(::opendir(dir.c_str()), ::closedir);
  if (!listing) return fail("open '{}': {}", dir.string(), errno_text(errno));
  while (dirent* entry = ::readdir(listing.get())) {
    std::string_view name = entry->d_name;
    bool ours = false;
    for (auto prefix : prefixes) ours = ours || (name.starts_with(prefix) && name.size() > prefix.size() &&
                                                 name[prefix.size()] == '-');
    if (!ours) continue;
    UniqueFd fd(::openat(::dirfd(listing.get()), entry->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd.valid()) continue;
    struct stat st;
    if (::fstat(fd.get(), &st) < 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) continue;
    // Held: a live pull, import or archive extraction is using it.
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) continue;
    if (S_ISDIR(st.st_mode)) {
      std::error_code error;
      std::filesystem::remove_all(dir / entry->d_name, error);
      if (error) return fail("remove '{}': {}", (dir / entry->d_name).string(), error.message());
    } else if (::unlinkat(::dirfd(listing.get()), entry->d_name, 0) < 0 && errno != ENOENT) {
      return fail("remove '{}': {}", (dir / entry->d_name).string(), errno_text(errno));
    }
  }
  return {};
}

}  // namespace ctapp
