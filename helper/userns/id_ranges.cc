// SPDX-License-Identifier: LGPL-2.1-or-later
#include "userns/id_ranges.h"

#include <algorithm>
#include <charconv>

#include "core/atomic_file.h"
#include "core/file_lock.h"
#include "core/text_split.h"

namespace ctapp {
namespace {

std::filesystem::path registry_dir(const Paths& paths) {
  return paths.under_root("/var/lib/ctapp/userns");
}

bool parse_number(std::string_view text, uint64_t& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// "START COUNT\n" as written by record_range.
std::optional<IdRange> parse_record(std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  auto space = text.find(' ');
  IdRange range;
  if (space == std::string_view::npos || !parse_number(text.substr(0, space), range.start) ||
      !parse_number(text.substr(space + 1), range.count) || range.count == 0)
    return std::nullopt;
  return range;
}

Result<std::vector<IdRange>> taken_ranges(const Paths& paths) {
  std::vector<IdRange> taken;
  for (const char* file : {"/etc/subuid", "/etc/subgid"}) {
    auto text = read_file(paths.under_root(file));
    if (text) {
      auto ranges = parse_subid_ranges(*text);
      taken.insert(taken.end(), ranges.begin(), ranges.end());
    }
  }
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(registry_dir(paths), error)) {
    if (entry.path().filename().string().starts_with(".")) continue;
    auto text = read_file(entry.path(), 4096);
    if (!text) return std::unexpected(text.error());
    auto range = parse_record(*text);
    if (!range) return fail("'{}' is not a valid id range record (START COUNT)", entry.path().string());
    taken.push_back(*range);
  }
  return taken;
}

}  // namespace

std::vector<IdRange> parse_subid_ranges(const std::string& text) {
  std::vector<IdRange> ranges;
  for (std::string_view line : split(text, '\n')) {
    auto first = line.find(':');
    auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    IdRange range;
    if (parse_number(line.substr(first + 1, second - first - 1), range.start) &&
        parse_number(line.substr(second + 1), range.count) && range.count > 0)
      ranges.push_back(range);
  }
  return ranges;
}

Result<std::optional<IdRange>> recorded_id_range(const Paths& paths, const std::string& app) {
  auto file = registry_dir(paths) / app;
  std::error_code error;
  if (!std::filesystem::exists(file, error)) return std::optional<IdRange>();
  auto text = read_file(file, 4096);
  if (!text) return std::unexpected(text.error());
  auto range = parse_record(*text);
  if (!range) return fail("'{}' is not a valid id range record (START COUNT)", file.string());
  return std::optional<IdRange>(*range);
}

Result<IdRange> allocate_id_range(const Paths& paths, const std::string& app, const IdPool& pool) {
  auto lock = FileLock::acquire(registry_dir(paths) / ".lock", FileLock::Wait::kBlock, "");
  if (!lock) return std::unexpected(lock.error());
  auto recorded = recorded_id_range(paths, app);
  if (!recorded) return std::unexpected(recorded.error());
  if (*recorded) return **recorded;
  auto taken = taken_ranges(paths);
  if (!taken) return std::unexpected(taken.error());
  size_t apps = 0;
  for (uint64_t start = pool.first; start + pool.block <= pool.end; start += pool.block) {
    IdRange candidate{start, pool.block};
    if (std::none_of(taken->begin(), taken->end(),
                     [&](const IdRange& range) { return range.overlaps(candidate); })) {
      auto written = write_file_atomic(registry_dir(paths) / app,
                                       fmt::format("{} {}\n", candidate.start, candidate.count));
      if (!written) return std::unexpected(written.error());
      return candidate;
    }
    ++apps;
  }
  return fail("no free range of {} ids left for app '{}' between {} and {} ({} blocks are taken "
              "by other apps or /etc/subuid, /etc/subgid): remove the record of an app that is "
              "gone from {}",
              pool.block, app, pool.first, pool.end, apps, registry_dir(paths).string());
}

}  // namespace ctapp
