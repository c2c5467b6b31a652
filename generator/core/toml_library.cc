// SPDX-License-Identifier: LGPL-2.1-or-later
// toml++'s implementation, compiled once into the statically linked
// ctapp-generator (generator/meson.build says why). The helper links
// Debian's libtomlplusplus.so instead and does not build this file.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
