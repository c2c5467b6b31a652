// SPDX-License-Identifier: LGPL-2.1-or-later
#include "kube/kube_values.h"

#include <cstdlib>

#include <fmt/format.h>

namespace ctapp {

std::optional<std::string> kube_memory(std::string_view systemd_size) {
  if (systemd_size.empty() || systemd_size == "infinity") return std::nullopt;
  char unit = systemd_size.back();
  if (unit >= '0' && unit <= '9') return std::string(systemd_size);
  std::string_view number = systemd_size.substr(0, systemd_size.size() - 1);
  switch (unit) {
    case 'K': case 'M': case 'G': case 'T': case 'P': case 'E':
      return fmt::format("{}{}i", number, unit);
    default:
      return std::nullopt;  // '%': a share of the machine's memory
  }
}

std::optional<std::string> kube_cpu(std::string_view cpu_quota) {
  if (cpu_quota.size() < 2 || cpu_quota.back() != '%') return std::nullopt;
  std::string number(cpu_quota.substr(0, cpu_quota.size() - 1));
  char* end = nullptr;
  double percent = std::strtod(number.c_str(), &end);
  if (end == number.c_str() || *end != '\0' || percent <= 0 || percent > 1e15) return std::nullopt;
  // 100% is one CPU, 1000 millicores (rounded to the nearest).
  return fmt::format("{}m", std::max(1L, static_cast<long>(percent * 10 + 0.5)));
}

long kube_seconds(std::chrono::microseconds span, long minimum) {
  long seconds = static_cast<long>((span.count() + 999999) / 1000000);
  return std::max(seconds, minimum);
}

std::string kube_label(std::string_view text) {
  std::string label;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep)
      label += c;
    else if (!label.empty() && label.back() != '-')
      label += '-';
  }
  if (label.size() > 63) label.resize(63);
  while (!label.empty() && label.back() == '-') label.pop_back();
  return label.empty() ? "app" : label;
}

}  // namespace ctapp
