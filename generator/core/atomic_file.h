// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "core/result.h"

namespace ctapp {

// Writes `content` to `path` so that readers see either the old file or the
// whole new one: a temporary file in the same directory (O_CLOEXEC, `mode`),
// fsync'd, then renamed over `path`. The temporary is removed on any failure.
// With `exclusive`, fails if `path` already exists (two sources of one name).
Status write_file_atomic(const std::filesystem::path& path, std::string_view content,
                         mode_t mode = 0644, bool exclusive = false);

// Reads a whole file; fails naming the path.
Result<std::string> read_file(const std::filesystem::path& path, size_t max_size = 64 << 20);

}  // namespace ctapp
