// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <yaml.h>

#include "core/result.h"

namespace ctapp {

// The libyaml functions ctapp uses (CDI specs in YAML, `ctapp kube
// generate`), from libyaml loaded on first use (core/shared_library.h says
// why). It replaced yaml-cpp, whose static constructors (and the iostreams
// and locales they start) cost ~1 ms at every start of ctapp.
struct YamlLibrary {
  decltype(&::yaml_parser_initialize) parser_initialize;
  decltype(&::yaml_parser_set_input_string) parser_set_input_string;
  decltype(&::yaml_parser_parse) parser_parse;
  decltype(&::yaml_parser_delete) parser_delete;
  decltype(&::yaml_event_delete) event_delete;
  decltype(&::yaml_emitter_initialize) emitter_initialize;
  decltype(&::yaml_emitter_set_output) emitter_set_output;
  decltype(&::yaml_emitter_set_indent) emitter_set_indent;
  decltype(&::yaml_emitter_set_width) emitter_set_width;
  decltype(&::yaml_emitter_set_unicode) emitter_set_unicode;
  decltype(&::yaml_emitter_emit) emitter_emit;
  decltype(&::yaml_emitter_delete) emitter_delete;
  decltype(&::yaml_stream_start_event_initialize) stream_start_event;
  decltype(&::yaml_stream_end_event_initialize) stream_end_event;
  decltype(&::yaml_document_start_event_initialize) document_start_event;
  decltype(&::yaml_document_end_event_initialize) document_end_event;
  decltype(&::yaml_mapping_start_event_initialize) mapping_start_event;
  decltype(&::yaml_mapping_end_event_initialize) mapping_end_event;
  decltype(&::yaml_sequence_start_event_initialize) sequence_start_event;
  decltype(&::yaml_sequence_end_event_initialize) sequence_end_event;
  decltype(&::yaml_scalar_event_initialize) scalar_event;
};

// libyaml-0.so.2, loaded once (thread-safe).
Result<const YamlLibrary*> yaml_library();

}  // namespace ctapp
