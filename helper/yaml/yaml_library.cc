// SPDX-License-Identifier: LGPL-2.1-or-later
#include "yaml/yaml_library.h"

#include "core/shared_library.h"

namespace ctapp {
namespace {

constexpr const char* kSoname = "libyaml-0.so.2";

Result<YamlLibrary> load() {
  auto handle = load_shared_library(kSoname, "to read and write YAML", "libyaml-0-2");
  if (!handle) return std::unexpected(handle.error());
  YamlLibrary library{};
  void* h = *handle;
  bool complete =
      resolve(h, "yaml_parser_initialize", library.parser_initialize) &&
      resolve(h, "yaml_parser_set_input_string", library.parser_set_input_string) &&
      resolve(h, "yaml_parser_parse", library.parser_parse) &&
      resolve(h, "yaml_parser_delete", library.parser_delete) &&
      resolve(h, "yaml_event_delete", library.event_delete) &&
      resolve(h, "yaml_emitter_initialize", library.emitter_initialize) &&
      resolve(h, "yaml_emitter_set_output", library.emitter_set_output) &&
      resolve(h, "yaml_emitter_set_indent", library.emitter_set_indent) &&
      resolve(h, "yaml_emitter_set_width", library.emitter_set_width) &&
      resolve(h, "yaml_emitter_set_unicode", library.emitter_set_unicode) &&
      resolve(h, "yaml_emitter_emit", library.emitter_emit) &&
      resolve(h, "yaml_emitter_delete", library.emitter_delete) &&
      resolve(h, "yaml_stream_start_event_initialize", library.stream_start_event) &&
      resolve(h, "yaml_stream_end_event_initialize", library.stream_end_event) &&
      resolve(h, "yaml_document_start_event_initialize", library.document_start_event) &&
      resolve(h, "yaml_document_end_event_initialize", library.document_end_event) &&
      resolve(h, "yaml_mapping_start_event_initialize", library.mapping_start_event) &&
      resolve(h, "yaml_mapping_end_event_initialize", library.mapping_end_event) &&
      resolve(h, "yaml_sequence_start_event_initialize", library.sequence_start_event) &&
      resolve(h, "yaml_sequence_end_event_initialize", library.sequence_end_event) &&
      resolve(h, "yaml_scalar_event_initialize", library.scalar_event);
  if (!complete) return fail("{} lacks a function ctapp needs: {}", kSoname, ::dlerror());
  return library;
}

}  // namespace

Result<const YamlLibrary*> yaml_library() { return load_once<YamlLibrary, load>(); }

}  // namespace ctapp
