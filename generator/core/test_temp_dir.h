// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace ctapp {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents when
// the object goes out of scope. For tests only.
class TestTempDir {
 public:
  TestTempDir() {
    auto base = std::filesystem::temp_directory_path() / "ctapp-test-XXXXXX";
    std::string pattern = base.string();
    if (::mkdtemp(pattern.data())) path_ = pattern;
  }
  TestTempDir(const TestTempDir&) = delete;
  TestTempDir& operator=(const TestTempDir&) = delete;
  ~TestTempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ctapp
