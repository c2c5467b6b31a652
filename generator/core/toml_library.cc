// SPDX-License-Identifier: LGPL-2.1-or-later
// toml++'s implementation, compiled once into ctapp-core so that every
// program links it statically instead of Debian's libtomlplusplus.so
// (meson.build says why).
#define TOML_IMPLEMENTATION
#include "core/toml_library.h"
