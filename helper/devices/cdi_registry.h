// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "devices/cdi_spec.h"

namespace ctapp {

// The CDI specs of a machine, by qualified device name. As in the CDI
// reference library, a spec in a later directory (/var/run/cdi) overrides
// one in an earlier (/etc/cdi) for the same device; two specs of one
// directory that name the same device are a conflict, reported when the
// device is asked for.
class CdiRegistry {
 public:
  // Reads *.json, *.yaml and *.yml in each of `dirs` (missing ones are
  // fine). A spec that cannot be read does not stop the others: it is named
  // when a device is not found.
  static CdiRegistry load(const std::vector<std::filesystem::path>& dirs);

  // The device "vendor.com/class=name" and its spec. Fails listing the known
  // names (and the specs that could not be read) when there is no such
  // device, and naming what is unsupported when the spec needs it.
  struct Found {
    const CdiSpec* spec = nullptr;
    const CdiDevice* device = nullptr;
  };
  Result<Found> find(std::string_view qualified_name) const;

  std::vector<std::string> known_names() const;

 private:
  struct Entry {
    std::string qualified_name;
    size_t spec = 0;
    size_t device = 0;
    size_t dir = 0;
    std::string conflict;  // the other spec of the same directory, if any
  };
  std::vector<std::filesystem::path> dirs_;
  std::vector<CdiSpec> specs_;
  std::vector<Entry> entries_;
  std::vector<std::string> broken_;  // "file: error"
};

// ROOT/etc/cdi and ROOT/var/run/cdi, the directories Podman and containerd read.
std::vector<std::filesystem::path> cdi_spec_dirs(const std::filesystem::path& root);

}  // namespace ctapp
