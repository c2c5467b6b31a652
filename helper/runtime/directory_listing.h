// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace ctapp {

struct DirectoryEntry {
  std::string name;
  unsigned char type;  // DT_REG, DT_DIR, DT_LNK, ... (DT_UNKNOWN resolved with lstat)
};

// The entries of `dir` other than "." and "..", sorted by name; a missing
// directory has none. Replaces std::filesystem::directory_iterator, whose
// increment throws in a range-for whatever error_code the constructor got.
Result<std::vector<DirectoryEntry>> list_directory(const std::filesystem::path& dir);

}  // namespace ctapp
