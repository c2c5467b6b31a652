// SPDX-License-Identifier: LGPL-2.1-or-later
// CDI spec parsing (YAML through libyaml, JSON through the bounded JSON
// reader) on arbitrary text. Invariants: no crash, no exception (the YAML
// reader makes none: every error must come back as a Result, with a message), no
// blow-up on aliases, and every device of a parsed spec has a valid
// qualified name and absolute paths.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/device_keys.h"
#include "devices/cdi_spec.h"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    for (const char* file : {"/etc/cdi/fuzz.yaml", "/etc/cdi/fuzz.json"}) {
      auto spec = ctapp::parse_cdi_spec(text, file);
      if (!spec) {
        check(!spec.error().message.empty());
        continue;
      }
      for (const auto& device : spec->devices) {
        check(static_cast<bool>(ctapp::check_cdi_name(spec->kind + "=" + device.name)));
        for (const auto& node : device.edits.device_nodes) check(node.path.starts_with('/'));
        for (const auto& mount : device.edits.mounts)
          check(mount.host_path.starts_with('/') && mount.container_path.starts_with('/'));
      }
    }
  } catch (...) {
    __builtin_trap();
  }
  return 0;
}
