// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <cstdint>

#include "core/result.h"

struct archive_entry;

namespace ctapp {

// Ownership moved into an app's range of host ids for a user namespace:
// id N of the image becomes `offset` + N on disk, for N < `size`.
struct IdShift {
  uint32_t offset = 0;
  uint32_t size = 0;  // 0: no shift
  bool active() const { return size != 0; }
};

// Shifts the owner, the group, and the ids inside xattrs (POSIX ACLs'
// user/group entries, a v3 file capability's rootid) of one layer entry.
// Fails naming the id when it lies beyond the range.
Status shift_entry_ids(archive_entry* entry, const IdShift& shift);

}  // namespace ctapp
