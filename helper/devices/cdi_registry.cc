// SPDX-License-Identifier: LGPL-2.1-or-later
#include "devices/cdi_registry.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/atomic_file.h"

namespace ctapp {
namespace {

constexpr size_t kMaxSpecFiles = 1024;
constexpr size_t kMaxSpecSize = 4 << 20;

bool is_spec_file(const std::string& name) {
  return name.ends_with(".json") || name.ends_with(".yaml") || name.ends_with(".yml");
}

std::string unsupported_message(const CdiSpec& spec, std::string_view name,
                                const std::vector<std::string>& unsupported) {
  return fmt::format("CDI device '{}' needs containerEdits {} ('{}'), which ctapp does not apply "
                     "(it applies deviceNodes, env, mounts and additionalGIDs): ask the vendor "
                     "for a spec without them, or give the device nodes as paths in [run] devices",
                     name, fmt::join(unsupported, ", "), spec.file.string());
}

}  // namespace

std::vector<std::filesystem::path> cdi_spec_dirs(const std::filesystem::path& root) {
  return {root / "etc/cdi", root / "var/run/cdi"};
}

CdiRegistry CdiRegistry::load(const std::vector<std::filesystem::path>& dirs) {
  CdiRegistry registry;
  registry.dirs_ = dirs;
  for (size_t dir = 0; dir < dirs.size(); ++dir) {
    auto names = list_directory(dirs[dir]);
    if (!names) continue;  // a missing directory has no specs
    std::sort(names->begin(), names->end());
    for (const auto& name : *names) {
      if (!is_spec_file(name)) continue;
      if (registry.specs_.size() >= kMaxSpecFiles) {
        registry.broken_.push_back(fmt::format("'{}': more than {} spec files; the rest were not "
                                               "read",
                                               dirs[dir].string(), kMaxSpecFiles));
        break;
      }
      std::filesystem::path file = dirs[dir] / name;
      auto text = read_file(file, kMaxSpecSize);
      if (!text) {
        registry.broken_.push_back(text.error().message);
        continue;
      }
      auto spec = parse_cdi_spec(*text, file);
      if (!spec) {
        registry.broken_.push_back(spec.error().message);
        continue;
      }
      size_t spec_index = registry.specs_.size();
      registry.specs_.push_back(std::move(*spec));
      const CdiSpec& added = registry.specs_.back();
      for (size_t device = 0; device < added.devices.size(); ++device) {
        std::string qualified = added.kind + "=" + added.devices[device].name;
        auto existing = std::find_if(registry.entries_.begin(), registry.entries_.end(),
                                     [&](const Entry& e) { return e.qualified_name == qualified; });
        Entry entry{qualified, spec_index, device, dir, ""};
        if (existing == registry.entries_.end()) {
          registry.entries_.push_back(std::move(entry));
        } else if (existing->dir == dir) {
          existing->conflict = file.string();
        } else {
          *existing = std::move(entry);
        }
      }
    }
  }
  return registry;
}

std::vector<std::string> CdiRegistry::known_names() const {
  std::vector<std::string> names;
  for (const auto& entry : entries_) names.push_back(entry.qualified_name);
  std::sort(names.begin(), names.end());
  return names;
}

Result<CdiRegistry::Found> CdiRegistry::find(std::string_view qualified_name) const {
  auto entry = std::find_if(entries_.begin(), entries_.end(),
                            [&](const Entry& e) { return e.qualified_name == qualified_name; });
  if (entry == entries_.end()) {
    std::vector<std::string> where;
    for (const auto& dir : dirs_) where.push_back("'" + dir.string() + "'");
    std::string known = entries_.empty() ? "there are none"
                                         : fmt::format("known: {}", fmt::join(known_names(), ", "));
    std::string broken = broken_.empty()
                             ? ""
                             : fmt::format("; specs that could not be read: {}",
                                           fmt::join(broken_, "; "));
    return fail("no CDI device '{}' in the specs of {} ({}){}: install the vendor's CDI spec "
                "(e.g. 'nvidia-ctk cdi generate') or fix the name",
                qualified_name, fmt::join(where, " and "), known, broken);
  }
  const CdiSpec& spec = specs_[entry->spec];
  const CdiDevice& device = spec.devices[entry->device];
  if (!entry->conflict.empty())
    return fail("CDI device '{}' is defined twice, in '{}' and '{}': remove one of them",
                qualified_name, spec.file.string(), entry->conflict);
  if (!spec.edits.unsupported.empty())
    return fail("{}", unsupported_message(spec, qualified_name, spec.edits.unsupported));
  if (!device.edits.unsupported.empty())
    return fail("{}", unsupported_message(spec, qualified_name, device.edits.unsupported));
  return Found{&spec, &device};
}

}  // namespace ctapp
