// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <dlfcn.h>

#include <string_view>

#include "core/result.h"

namespace ctapp {

// A shared library ctapp loads when it first needs it instead of linking it:
// every library linked is mapped and relocated at every start of every
// command (libcurl and what it pulls in cost ~30 ms; libcrypto's 4.5 MB
// cost ~4 ms and 126 page faults, with nothing to hash in a restart).
// dlopen with lazy binding and local symbols; the handle stays open for the
// life of the process. Fails naming the library, what it is `needed_for`
// and the Debian `package` that installs it.
Result<void*> load_shared_library(const char* soname, std::string_view needed_for,
                                  std::string_view package);

// Sets `function` to the library's function `name`; false when it lacks it.
template <typename Function>
bool resolve(void* handle, const char* name, Function& function) {
  function = reinterpret_cast<Function>(::dlsym(handle, name));
  return function != nullptr;
}

// The library struct `load` fills (its functions, resolved), made on the
// first call only and kept, or its error, for the life of the process: each
// *_library() accessor is `return load_once<Library, load>();`.
template <typename Library, Result<Library> (*load)()>
Result<const Library*> load_once() {
  static const Result<Library> library = load();  // once, thread-safe (a static local)
  if (!library) return std::unexpected(library.error());
  return &*library;
}

}  // namespace ctapp
