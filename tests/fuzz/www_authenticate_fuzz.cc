// SPDX-License-Identifier: LGPL-2.1-or-later
// The WWW-Authenticate challenge parser on arbitrary header values.
// Invariants: no crash, no exception, termination; every challenge has a
// scheme without separators, and parameter names are lowercase.
#include <cstddef>
#include <cstdint>
#include <string>

#include "registry/auth.h"
#include "registry/registry_client.h"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string header(reinterpret_cast<const char*>(data), size);
  try {
    auto challenges = ctapp::parse_www_authenticate(header);
    check(challenges.size() <= header.size());
    for (const auto& challenge : challenges) {
      check(!challenge.scheme.empty());
      check(challenge.scheme.find_first_of(" ,=") == std::string::npos);
      for (const auto& [name, value] : challenge.parameters) {
        for (char c : name) check(!(c >= 'A' && c <= 'Z'));
        (void)value;
      }
      // What the client does next with a realm: decide whether credentials may go there.
      if (challenge.parameters.contains("realm"))
        (void)ctapp::check_token_realm(challenge.parameters.at("realm"), "https", "registry.example", "fuzz");
    }
  } catch (...) {
    __builtin_trap();
  }
  return 0;
}
