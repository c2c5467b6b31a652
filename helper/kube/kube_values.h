// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ctapp {

// Conversions from .ctapp values (already validated by the parser) to the
// spellings Kubernetes expects. Each returns nullopt when the value has no
// Kubernetes form; the caller then lists it as "cannot express".

// A systemd size ("512M", "1G", "1048576") as a Kubernetes quantity
// ("512Mi", "1Gi", "1048576"): systemd's K/M/G are powers of 1024.
// nullopt for "infinity" and percentages.
std::optional<std::string> kube_memory(std::string_view systemd_size);

// A CPU quota in percent of one CPU ("150%") as millicores ("1500m").
std::optional<std::string> kube_cpu(std::string_view cpu_quota);

// Whole seconds, rounded up, at least `minimum`.
long kube_seconds(std::chrono::microseconds span, long minimum);

// A DNS-1123 label made from `text`: lower case, other characters as '-',
// no leading or trailing '-', at most 63 characters ("Web_1" -> "web-1").
std::string kube_label(std::string_view text);

}  // namespace ctapp
