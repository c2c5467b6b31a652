// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace ctapp {

// What one layer entry's name asks of the rootfs (OCI image spec, "Changeset
// over existing files"): content at a path, a whiteout hiding a path of the
// lower layers, or an opaque marker for a directory.
struct LayerEntryName {
  enum class Kind { kContent, kWhiteout, kOpaque, kRoot };
  Kind kind = Kind::kContent;
  // kContent: where the entry goes; kWhiteout: the path it hides; kOpaque:
  // the directory ("" is the rootfs itself); kRoot: "" (a "./" entry).
  std::string path;
};

// The one check for every name an entry adds to the rootfs, whether written
// in the tar or derived from it (the name a whiteout hides, each component
// of a hard link's target): a plain file name. Fails for "", "." and "..",
// and for names with the reserved whiteout prefix ".wh." (only the last
// component of an entry may carry it, as a whiteout or opaque marker).
Status check_layer_component(std::string_view component);

// Splits and checks a raw tar entry name. Fails, with a message for
// "entry 'NAME': ...", when any name it yields is not a plain file name
// (a whiteout of "", "." or "..", a whiteout name used as a directory, a
// ".wh..wh." name other than the opaque marker, "..", NUL bytes).
Result<LayerEntryName> parse_layer_entry_name(std::string_view raw);

// A hard link's target inside the rootfs: clean, every component checked.
Result<std::string> layer_link_target(std::string_view raw);

}  // namespace ctapp
