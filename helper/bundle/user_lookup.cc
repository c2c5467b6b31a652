// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bundle/user_lookup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <set>

#include "core/text_split.h"
#include "core/unique_fd.h"
#include "unpack/rootfs_paths.h"

namespace ctapp {
namespace {

constexpr size_t kMaxDatabase = 4 << 20;

// The text of /etc/passwd or /etc/group of the image. The file is looked up
// inside the rootfs (links resolve as if it were "/"), opened without
// blocking (a FIFO would wait for a writer forever) and must be a regular
// file no larger than the bound (a link to the image's /dev/zero, or a huge
// file, would flood us). Missing: empty.
Result<std::string> read_database_text(const std::filesystem::path& rootfs, const std::string& relative) {
  UniqueFd root(::open(rootfs.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!root.valid()) return std::string();
  int fd = open_in_root(root.get(), relative, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd == -ENOENT || fd == -ENOTDIR) return std::string();
  if (fd < 0) return fail("open the image's /{}: {}", relative, errno_text(-fd));
  UniqueFd file(fd);
  struct stat st;
  if (::fstat(file.get(), &st) < 0) return fail("stat the image's /{}: {}", relative, errno_text(errno));
  if (!S_ISREG(st.st_mode))
    return fail("the image's /{} is not a regular file: rebuild the image with a real /{}", relative,
                relative);
  std::string text;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(file.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("read the image's /{}: {}", relative, errno_text(errno));
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxDatabase)
      return fail("the image's /{} is larger than {} bytes", relative, kMaxDatabase);
  }
  return text;
}

// The lines of a database text, split at ':'.
std::vector<std::vector<std::string>> parse_database(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  for (std::string_view line : split(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    auto fields = split(line, ':');
    rows.emplace_back(fields.begin(), fields.end());
  }
  return rows;
}

bool parse_id(const std::string& text, uint32_t& id) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<ResolvedUser> resolve_user(const std::filesystem::path& rootfs, const std::string& user) {
  auto colon = user.find(':');
  std::string user_part = user.substr(0, colon);
  std::string group_part = colon == std::string::npos ? "" : user.substr(colon + 1);
  auto passwd_text = read_database_text(rootfs, "etc/passwd");
  if (!passwd_text) return std::unexpected(passwd_text.error());
  auto group_text = read_database_text(rootfs, "etc/group");
  if (!group_text) return std::unexpected(group_text.error());
  auto passwd = parse_database(*passwd_text);
  auto groups = parse_database(*group_text);
  ResolvedUser resolved;
  std::string user_name;
  uint32_t id = 0;
  if (parse_id(user_part, id)) {
    resolved.uid = id;
    for (const auto& row : passwd) {
      uint32_t row_uid = 0, row_gid = 0;
      if (row.size() >= 4 && parse_id(row[2], row_uid) && row_uid == id && parse_id(row[3], row_gid)) {
        resolved.gid = row_gid;
        user_name = row[0];
        break;
      }
    }
  } else {
    auto row = std::find_if(passwd.begin(), passwd.end(),
                            [&](const auto& r) { return r.size() >= 4 && r[0] == user_part; });
    uint32_t uid = 0, gid = 0;
    if (row == passwd.end() || !parse_id((*row)[2], uid) || !parse_id((*row)[3], gid))
      return fail("user '{}' is not in the image's /etc/passwd: use a user the image has, or a "
                  "numeric uid[:gid]",
                  user_part);
    resolved.uid = uid;
    resolved.gid = gid;
    user_name = user_part;
  }
  if (!group_part.empty()) {
    if (parse_id(group_part, id)) {
      resolved.gid = id;
    } else {
      auto row = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& r) { return r.size() >= 3 && r[0] == group_part; });
      if (row == groups.end() || !parse_id((*row)[2], id))
        return fail("group '{}' is not in the image's /etc/group: use a group the image has, or "
                    "a numeric gid",
                    group_part);
      resolved.gid = id;
    }
  }
  if (!user_name.empty()) {
    std::set<gid_t> seen;  // a set: an image's /etc/group may list the user in 100,000s of groups
    for (const auto& row : groups) {
      if (row.size() < 4) continue;
      uint32_t gid = 0;
      for (std::string_view member : split(row[3], ','))
        if (member == user_name && parse_id(row[2], gid) && gid != resolved.gid &&
            seen.insert(gid).second)
          resolved.additional_gids.push_back(gid);
    }
  }
  return resolved;
}

}  // namespace ctapp
