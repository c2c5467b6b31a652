// SPDX-License-Identifier: LGPL-2.1-or-later
#include "core/device_keys.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/value_checks.h"

namespace ctapp {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Begins and ends with a letter or digit; in between letters, digits and
// `extra`.
bool is_cdi_word(std::string_view word, std::string_view extra) {
  if (word.empty() || !is_alnum(word.front()) || !is_alnum(word.back())) return false;
  return std::all_of(word.begin(), word.end(), [&](char c) {
    return is_alnum(c) || extra.find(c) != std::string_view::npos;
  });
}

constexpr std::string_view kCdiExample = "'vendor.com/class=name', e.g. 'nvidia.com/gpu=0'";

}  // namespace

Status check_device_permissions(std::string_view permissions) {
  if (permissions.empty())
    return fail("device permissions are empty: use some of 'r' (read), 'w' (write) and 'm' "
                "(mknod), e.g. 'rw'");
  for (size_t i = 0; i < permissions.size(); ++i) {
    char c = permissions[i];
    if (c != 'r' && c != 'w' && c != 'm')
      return fail("'{}' is not a device permission: use some of 'r' (read), 'w' (write) and 'm' "
                  "(mknod), e.g. 'rw'",
                  permissions);
    if (permissions.find(c, i + 1) != std::string_view::npos)
      return fail("device permissions '{}' name '{}' twice", permissions, c);
  }
  return {};
}

Status check_cdi_kind(std::string_view kind) {
  auto slash = kind.find('/');
  if (slash == std::string_view::npos)
    return fail("'{}' is not a CDI kind: write 'vendor.com/class'", kind);
  std::string_view vendor = kind.substr(0, slash);
  std::string_view device_class = kind.substr(slash + 1);
  if (vendor.size() > 253 || !is_cdi_word(vendor, "-_."))
    return fail("'{}' is not a CDI vendor: letters, digits, '-', '_' and '.', beginning and ending "
                "with a letter or digit, e.g. 'vendor.com'",
                vendor);
  if (device_class.size() > 63 || !is_cdi_word(device_class, "-_."))
    return fail("'{}' is not a CDI class: letters, digits, '-', '_' and '.', beginning and ending "
                "with a letter or digit, e.g. 'gpu'",
                device_class);
  return {};
}

Status check_cdi_name(std::string_view name) {
  auto equals = name.find('=');
  if (equals == std::string_view::npos)
    return fail("'{}' is not a CDI device name: write {}", name, kCdiExample);
  if (auto kind = check_cdi_kind(name.substr(0, equals)); !kind)
    return fail("'{}' is not a CDI device name ({}): write {}", name, kind.error().message,
                kCdiExample);
  std::string_view device = name.substr(equals + 1);
  // CDI allows ':' in device names ("gpu=0:1" for MIG slices).
  if (!is_cdi_word(device, "-_.:"))
    return fail("'{}' is not a CDI device name: the part after '=' must be letters, digits, '-', "
                "'_', '.' and ':', beginning and ending with a letter or digit; write {}",
                name, kCdiExample);
  return {};
}

Result<DeviceRequest> parse_device_request(std::string_view text) {
  if (auto status = check_no_control_chars(text); !status) return std::unexpected(status.error());
  DeviceRequest request;
  if (!text.starts_with('/')) {
    if (text.find('=') == std::string_view::npos)
      return fail("'{}' is neither a device path nor a CDI name: write '/dev/NAME', "
                  "'/dev/NAME:/dev/INSIDE:rwm' or {}",
                  text, kCdiExample);
    if (auto status = check_cdi_name(text); !status) return std::unexpected(status.error());
    request.cdi_name = std::string(text);
    return request;
  }
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3)
    return fail("'{}' has too many ':': write HOST[:CONTAINER][:PERMISSIONS], e.g. "
                "'/dev/sdc:/dev/xvdc:rw'",
                text);
  request.host_path = std::string(parts[0]);
  if (parts.size() >= 2) {
    // "/dev/sdc:rw": a second part that is not a path is the permissions.
    if (parts.size() == 2 && !parts[1].starts_with('/')) {
      request.permissions = std::string(parts[1]);
    } else {
      request.container_path = std::string(parts[1]);
      if (parts.size() == 3) request.permissions = std::string(parts[2]);
    }
  }
  for (const std::string* path : {&request.host_path, &request.container_path}) {
    if (path->empty()) continue;
    if (auto status = check_absolute_path(*path); !status)
      return fail("device '{}': {}", text, status.error().message);
  }
  if (parts.size() >= 2 && request.container_path.empty() && request.permissions.empty())
    return fail("device '{}': nothing after ':': write HOST[:CONTAINER][:PERMISSIONS]", text);
  if (auto status = check_device_permissions(request.permissions); !status)
    return fail("device '{}': {}", text, status.error().message);
  return request;
}

Status check_credential_name(std::string_view name) {
  if (name.empty()) return fail("a credential needs a name: write 'NAME:/path/to/file'");
  if (name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      name.size() > 255)
    return fail("'{}' is not a credential name: a file name without '/', not '.' or '..'", name);
  return {};
}

Result<CredentialSource> parse_credential_source(std::string_view text) {
  if (auto status = check_no_control_chars(text); !status) return std::unexpected(status.error());
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return fail("credential '{}' has no path: write 'NAME:/path/to/file', e.g. "
                "'token:/etc/ctapp/token'",
                text);
  CredentialSource source{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
  if (auto status = check_credential_name(source.name); !status)
    return std::unexpected(status.error());
  if (auto status = check_absolute_path(source.path); !status)
    return fail("credential '{}': {}", source.name, status.error().message);
  return source;
}

}  // namespace ctapp
