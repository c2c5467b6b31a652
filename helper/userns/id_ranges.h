// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/paths.h"
#include "core/result.h"

namespace ctapp {

// A block of host ids [start, start + count) mapped to ids 0..count-1 inside
// an app's user namespace (uids and gids alike).
struct IdRange {
  uint64_t start = 0;
  uint64_t count = 0;
  uint64_t end() const { return start + count; }
  bool overlaps(const IdRange& other) const { return start < other.end() && other.start < end(); }
};

// Where ranges are handed out: 65536 ids per app, from 0x70000000 up to
// below 0x7FFE0000 (systemd's "foreign" range). This stays clear of the
// low ids of normal users, of systemd-nspawn's 0x00080000-0x6FFFFFFF, and
// the allocator also avoids every range in /etc/subuid and /etc/subgid.
struct IdPool {
  uint64_t first = 0x70000000;
  uint64_t end = 0x7FFE0000;
  uint64_t block = 65536;
};

// The app's range: the one recorded under ROOT/var/lib/ctapp/userns/NAME if
// any (stable across restarts, upgrades and reinstalls), else the lowest free
// block, recorded under a lock. Fails when the pool is exhausted, naming how
// many apps hold ranges and the file to free one.
Result<IdRange> allocate_id_range(const Paths& paths, const std::string& app,
                                  const IdPool& pool = {});

// The range recorded for `app`, if any.
Result<std::optional<IdRange>> recorded_id_range(const Paths& paths, const std::string& app);

// Ranges of a /etc/subuid-style file ("name:start:count" lines); malformed
// lines are skipped, as shadow's tools do.
std::vector<IdRange> parse_subid_ranges(const std::string& text);

}  // namespace ctapp
