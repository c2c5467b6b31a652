// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/result.h"

#include <cstring>

namespace ctapp {

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace ctapp
