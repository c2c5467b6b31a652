// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string_view>

#include "core/app_config.h"
#include "core/result.h"

// Validators for the [run] keys that give an app devices and credentials.
// What can be checked without the machine is checked here, at `ctapp check`
// and generator time; that a host path is a device node and that a CDI name
// resolves is checked by the helper at start.
namespace ctapp {

// "/dev/fuse", "/dev/sdc:/dev/xvdc", "/dev/sdc:/dev/xvdc:rw", "/dev/sdc:rw"
// (Podman's --device syntax), or a CDI name "vendor.com/class=name".
Result<DeviceRequest> parse_device_request(std::string_view text);

// One or more of r (read), w (write), m (mknod), each at most once.
Status check_device_permissions(std::string_view permissions);

// "vendor.com/class=name" as the CDI spec defines it: the kind (a DNS-like
// vendor, '/', a class) and a device name.
Status check_cdi_name(std::string_view name);
// The kind alone, "vendor.com/class", as a CDI spec's "kind" holds it.
Status check_cdi_kind(std::string_view kind);

// "NAME:PATH" of the credentials key: NAME a valid credential (file) name,
// PATH absolute.
Result<CredentialSource> parse_credential_source(std::string_view text);
Status check_credential_name(std::string_view name);

}  // namespace ctapp
