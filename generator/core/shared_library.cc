// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/shared_library.h"

#include <dlfcn.h>

namespace ctapp {

Result<void*> load_shared_library(const char* soname, std::string_view needed_for,
                                  std::string_view package) {
  void* handle = ::dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
  if (!handle)
    return fail("cannot load {} {} ({}): install the {} package", soname, needed_for, ::dlerror(), package);
  return handle;
}

}  // namespace ctapp
