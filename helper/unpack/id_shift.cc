// SPDX-License-Identifier: LGPL-2.1-or-later
#include "unpack/id_shift.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "unpack/entry_writer.h"

namespace ctapp {
namespace {

constexpr uint16_t kAclUser = 0x02;
constexpr uint16_t kAclGroup = 0x08;
constexpr size_t kAclHeader = 4;
constexpr size_t kAclEntry = 8;
constexpr uint32_t kCapRevisionMask = 0xff000000;
constexpr uint32_t kCapRevision3 = 0x03000000;
constexpr size_t kCapV3Size = 24;

uint32_t read32(const std::string& data, size_t at) {
  uint32_t value;
  std::memcpy(&value, data.data() + at, 4);
  return value;  // xattr values are little-endian, as is every machine we run on
}

void write32(std::string& data, size_t at, uint32_t value) { std::memcpy(data.data() + at, &value, 4); }

Result<uint32_t> shifted(uint64_t id, const IdShift& shift, const char* what) {
  if (id >= shift.size)
    return fail("{} {} is beyond the {} ids (0-{}) that the app's user namespace maps: run it "
                "with user_namespace = \"host\", or with a uid_map/gid_map whose first range "
                "from container id 0 covers it",
                what, id, shift.size, shift.size - 1);
  return static_cast<uint32_t>(shift.offset + id);
}

Status shift_xattr(const std::string& name, std::string& value, const IdShift& shift) {
  if ((name == "system.posix_acl_access" || name == "system.posix_acl_default") &&
      value.size() >= kAclHeader && (value.size() - kAclHeader) % kAclEntry == 0) {
    for (size_t at = kAclHeader; at < value.size(); at += kAclEntry) {
      uint16_t tag;
      std::memcpy(&tag, value.data() + at, 2);
      if (tag != kAclUser && tag != kAclGroup) continue;
      auto id = shifted(read32(value, at + 4), shift, tag == kAclUser ? "ACL uid" : "ACL gid");
      if (!id) return std::unexpected(id.error());
      write32(value, at + 4, *id);
    }
  } else if (name == "security.capability" && value.size() == kCapV3Size &&
             (read32(value, 0) & kCapRevisionMask) == kCapRevision3) {
    auto id = shifted(read32(value, 20), shift, "file capability rootid");
    if (!id) return std::unexpected(id.error());
    write32(value, 20, *id);
  }
  return {};
}

}  // namespace

Status shift_entry_ids(archive_entry* entry, const IdShift& shift) {
  if (!shift.active()) return {};
  auto uid = shifted(static_cast<uint64_t>(archive_entry_uid(entry)), shift, "uid");
  if (!uid) return std::unexpected(uid.error());
  auto gid = shifted(static_cast<uint64_t>(archive_entry_gid(entry)), shift, "gid");
  if (!gid) return std::unexpected(gid.error());
  archive_entry_set_uid(entry, *uid);
  archive_entry_set_gid(entry, *gid);
  auto xattrs = entry_xattrs(entry);
  if (xattrs.empty()) return {};
  for (auto& [key, data] : xattrs)
    if (auto done = shift_xattr(key, data, shift); !done) return done;
  archive_entry_xattr_clear(entry);
  for (const auto& [key, data] : xattrs) archive_entry_xattr_add_entry(entry, key.c_str(), data.data(), data.size());
  return {};
}

}  // namespace ctapp
