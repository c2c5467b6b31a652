// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>

#include "core/app_config.h"
#include "core/result.h"
#include "devices/container_edits.h"

namespace ctapp {

// Where the unit's credentials appear inside the container; the app finds
// the path in $CREDENTIALS_DIRECTORY, as a service does.
inline constexpr const char* kContainerCredentialsDir = "/run/credentials/ctapp";
// [run] credentials_as_secrets = true: also here, as Docker and Podman
// secrets are.
inline constexpr const char* kContainerSecretsDir = "/run/secrets";

// The mounts and environment that give the container its credentials:
// - under systemd (`credentials_directory` is the unit's
//   $CREDENTIALS_DIRECTORY, a ramfs systemd fills at start and removes at
//   stop): that directory, bound read-only; nothing is copied;
// - without it (`ctapp run --foreground`): each [run] credentials file,
//   bound read-only from its source path; it must be a regular file.
// Nothing when the app has no credentials. Fails naming the path.
Result<ContainerEdits> credential_edits(const AppConfig& app,
                                        const std::string& credentials_directory);

}  // namespace ctapp
