// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "core/app_config.h"
#include "core/result.h"

// Validators for the values of a .ctapp file. Each returns an error whose
// message says what is wrong and what a valid value looks like; the parser
// adds file, line and column.
namespace ctapp {

Status check_no_control_chars(std::string_view value);
// NAME of NAME.ctapp: usable as a systemd instance, a runc id and a path part.
Status check_app_name(std::string_view name);
// Absolute, no "." or ".." components, no empty components beyond "//".
Status check_absolute_path(std::string_view path);
// True for names ending in a unit type suffix (".service", ".target", ...).
bool has_unit_suffix(std::string_view name);
// A systemd unit name such as multi-user.target.
Status check_unit_name(std::string_view name);
// systemd time span: "90", "90s", "5min 30s", "infinity" (as microseconds::max()).
std::optional<std::chrono::microseconds> parse_time_span(std::string_view span);
Status check_time_span(std::string_view span);
// systemd size: "512M", "1G", "1048576", "infinity", "50%".
Status check_size(std::string_view size);
Status check_cpu_quota(std::string_view quota);  // "150%"
Status check_tasks_max(std::string_view value);  // "512", "infinity", "10%"
Status check_cpu_list(std::string_view value);   // "0-1,3" (AllowedCPUs=)
Status check_restart(std::string_view value);
Status check_env_name(std::string_view name);
Status check_hostname(std::string_view hostname);
Status check_user(std::string_view user);  // name, uid, name:group, uid:gid
Status check_signal(std::string_view signal);
// OS/ARCH[/VARIANT] of an image index entry, e.g. "linux/arm64", "linux/arm/v7".
Status check_platform(std::string_view platform);
// systemd setting names in [systemd.*] pass-through tables.
Status check_systemd_key(std::string_view key);

Result<PublishedPort> parse_published_port(std::string_view text);
Result<IdMapping> parse_id_mapping(std::string_view text);
Result<TcpProbe> parse_tcp_probe(std::string_view text);

}  // namespace ctapp
