// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/app_config.h"
#include "core/result.h"

// Validators for the [run] keys that shape the container's config.json
// (capabilities, sysctls, rlimits, annotations, tmpfs sizes). Each error
// says what is wrong and what to write instead; the parser adds file:line:col.
namespace ctapp {

// Every capability the kernel knows, as "CAP_NAME", in the kernel's order.
const std::vector<std::string_view>& all_capabilities();

// "net_admin", "CAP_NET_ADMIN", "Net_Admin" -> "CAP_NET_ADMIN"; "all" -> "ALL".
// An unknown name fails with the closest known one.
Result<std::string> parse_capability(std::string_view name);

// Only sysctls the kernel keeps per namespace (as runc and Docker allow):
// net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*.
Status check_sysctl_name(std::string_view name);
Status check_sysctl_value(std::string_view value);

// nofile = 512, nofile = "512:1024", core = "unlimited" -> RLIMIT_NOFILE ...
Result<Rlimit> parse_ulimit(std::string_view name, std::string_view value);
Result<std::string> rlimit_type(std::string_view name);

// Keys that the runtimes act on (crun's run.oci.*) or ctapp sets itself
// (org.ctapp.*) are refused.
Status check_annotation_key(std::string_view key);

// A tmpfs size as the kernel's size= option takes it: "64M", "1g", "65536",
// "50%" (of RAM); never 0.
Status check_tmpfs_size(std::string_view size);
// An octal mode of at most four digits, e.g. "1777", "0755".
Status check_tmpfs_mode(std::string_view mode);

}  // namespace ctapp
