// SPDX-License-Identifier: LGPL-2.1-or-later
// Manifest, index and image-config parsing as the store and the registry
// client do it (store/image_json.h), on arbitrary bytes. Invariants: no
// crash and no exception; an accepted document holds only verifiable
// digests and sizes >= 0, and re-serialising what was read never throws.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "json/json_reader.h"
#include "store/image_json.h"
#include "store/media_types.h"
#include "store/platform.h"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void check_descriptor(const ctapp::Descriptor& descriptor) {
  check(ctapp::is_digest(descriptor.digest));
  check(descriptor.size >= 0);
  (void)ctapp::dump_json(ctapp::descriptor_json(descriptor));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto document = ctapp::parse_image_json(text, "fuzz");
    if (!document) {
      check(!document.error().message.empty());
      return 0;
    }
    check(document->is_object());
    (void)ctapp::dump_json(*document, 2);
    bool index = ctapp::is_index_document(*document, "");
    if (auto parsed = ctapp::parse_image_index(*document, "fuzz index")) {
      std::vector<std::optional<ctapp::Platform>> platforms;
      for (const auto& entry : parsed->manifests) {
        check_descriptor(entry);
        platforms.push_back(entry.platform);
      }
      if (auto chosen = ctapp::choose_platform(platforms, {"linux", "amd64", ""}, "fuzz"))
        check(*chosen < platforms.size() && platforms[*chosen] && !ctapp::is_attestation(*platforms[*chosen]));
    } else {
      check(!parsed.error().message.empty());
    }
    if (auto manifest = ctapp::parse_image_manifest(*document, "fuzz manifest")) {
      check_descriptor(manifest->config);
      for (const auto& layer : manifest->layers) {
        check_descriptor(layer);
        check(ctapp::is_layer_media_type(layer.media_type));
      }
    }
    if (auto config = ctapp::parse_image_config(*document, "fuzz config")) (void)config->diff_ids.size();
    (void)index;
  } catch (...) {
    __builtin_trap();  // no exception may leave the parsing functions
  }
  return 0;
}
