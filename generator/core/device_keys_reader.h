// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include "core/app_config.h"
#include "core/diagnostic.h"
#include "core/toml_reader.h"

namespace ctapp {

// Reads the [run] keys devices, credentials and credentials_as_secrets into
// `settings`; every problem becomes a located diagnostic and leaves the key's
// setting as it was (a drop-in that repeats a key replaces the whole list).
void read_device_keys(TableReader& run, RunSettings& settings);

}  // namespace ctapp
