// SPDX-License-Identifier: LGPL-2.1-or-later
// registries.conf parsing (from a temporary file, as ctapp reads it) and
// the resolution of a few references through it, on arbitrary text.
// Invariants: no crash, no exception (toml++ throws parse errors: they must
// come back as Results), and every source names a host and a repository.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/atomic_file.h"
#include "core/image_reference.h"
#include "registry/registries_conf.h"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

std::filesystem::path scratch_dir;

void remove_scratch() {
  std::error_code ignored;
  std::filesystem::remove_all(scratch_dir, ignored);
}

// One directory for the whole run, removed when libFuzzer exits.
const std::filesystem::path& scratch() {
  if (scratch_dir.empty()) {
    std::string pattern = "/tmp/ctapp-fuzz-registries.XXXXXX";
    if (!::mkdtemp(pattern.data())) std::abort();
    scratch_dir = pattern;
    std::atexit(remove_scratch);
  }
  return scratch_dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto file = scratch() / "registries.conf";
    if (!ctapp::write_file_atomic(file, text, {.durable = false})) return 0;
    auto config = ctapp::load_registries_config(file, scratch() / "registries.conf.d");
    if (!config) {
      check(!config.error().message.empty());
      return 0;
    }
    for (const char* written : {"busybox", "box:1", "library/box@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                                "registry.example/test/box:1", "localhost/x"}) {
      auto ref = ctapp::parse_image_reference(written);
      if (!ref) continue;
      auto sources = ctapp::pull_sources(*config, written, *ref);
      if (!sources) continue;
      for (const auto& source : *sources) check(!source.host.empty() && !source.repository.empty());
    }
  } catch (...) {
    __builtin_trap();
  }
  return 0;
}
