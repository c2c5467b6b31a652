// SPDX-License-Identifier: LGPL-2.1-or-later
#include "unpack/layer_names.h"

#include "unpack/rootfs_paths.h"

namespace ctapp {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kReservedPrefix = ".wh..wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

// Checks every component of a clean path; returns the first failure.
Status check_components(std::string_view path) {
  while (!path.empty()) {
    auto slash = path.find('/');
    if (auto checked = check_layer_component(path.substr(0, slash)); !checked) return checked;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return {};
}

}  // namespace

Status check_layer_component(std::string_view component) {
  if (component.empty()) return fail("a name is empty");
  if (component == "." || component == "..")
    return fail("'{}' is not a file name (it would act on a directory, not on an entry in it)",
                component);
  if (component.find('/') != std::string_view::npos || component.find('\0') != std::string_view::npos)
    return fail("'{}' is not a single file name", component);
  if (component.starts_with(kWhiteoutPrefix))
    return fail("'{}' begins with the whiteout prefix '.wh.', which only the last component "
                "of an entry may carry",
                component);
  return {};
}

Result<LayerEntryName> parse_layer_entry_name(std::string_view raw) {
  auto clean = clean_entry_path(raw);
  if (!clean) {
    // "./" or "/" (the root itself) carries no content of its own.
    if (!raw.empty() && raw.find('\0') == std::string_view::npos &&
        raw.find_first_not_of("./") == std::string_view::npos && raw.find("..") == std::string_view::npos)
      return LayerEntryName{LayerEntryName::Kind::kRoot, ""};
    return std::unexpected(clean.error());
  }
  auto slash = clean->rfind('/');
  std::string dir = slash == std::string::npos ? "" : clean->substr(0, slash);
  std::string base = slash == std::string::npos ? *clean : clean->substr(slash + 1);
  if (auto checked = check_components(dir); !checked) return std::unexpected(checked.error());
  if (base == kOpaqueMarker) return LayerEntryName{LayerEntryName::Kind::kOpaque, dir};
  if (base.starts_with(kReservedPrefix))
    return fail("'{}' begins with the reserved prefix '.wh..wh.' and is not the opaque marker "
                "'.wh..wh..opq'",
                base);
  if (base.starts_with(kWhiteoutPrefix)) {
    std::string hidden = base.substr(kWhiteoutPrefix.size());
    if (auto checked = check_layer_component(hidden); !checked)
      return fail("the whiteout '{}' must name a file beside it: {}", base, checked.error().message);
    return LayerEntryName{LayerEntryName::Kind::kWhiteout, dir.empty() ? hidden : dir + "/" + hidden};
  }
  if (auto checked = check_layer_component(base); !checked) return std::unexpected(checked.error());
  return LayerEntryName{LayerEntryName::Kind::kContent, *clean};
}

Result<std::string> layer_link_target(std::string_view raw) {
  auto clean = clean_entry_path(raw);
  if (!clean) return std::unexpected(clean.error());
  if (auto checked = check_components(*clean); !checked) return std::unexpected(checked.error());
  return *clean;
}

}  // namespace ctapp
