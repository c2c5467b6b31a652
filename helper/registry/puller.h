// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/paths.h"
#include "core/result.h"
#include "registry/registry_client.h"
#include "store/oci_layout.h"

namespace ctapp {

struct PullRequest {
  std::string reference;        // as written: "valkey/valkey:9.0.0", "oci:/dir:tag"
  Platform platform = Platform::current();
  RegistryOptions options;
  Paths paths;
  std::vector<std::filesystem::path> auth_files = default_auth_files();
  int parallel_layers = 3;
  // Only ask the registry which manifest the reference names now (index ->
  // platform): no blob is fetched and the store is not changed; the result
  // has `manifest` and `source` only. Registry references only.
  bool resolve_only = false;
  // Filling an image root (preload): when the root has no registries.conf
  // (nor registries.conf.d), the build machine's is used instead.
  bool host_registries_fallback = false;
};

struct PullResult {
  std::string store_name;       // the ref name in the store's index.json
  Descriptor manifest;
  int64_t downloaded = 0;       // bytes fetched (blobs the store had are skipped)
  std::string source;           // where it came from, e.g. "127.0.0.1:5000/box"
};

// Brings an image into ctapp's store (ROOT/var/lib/ctapp/images): from a
// registry (through registries.conf aliases, search registries and mirrors,
// with credentials from the auth files; the manifest for `platform` chosen
// from an index, attestations skipped; layers fetched in parallel; every
// blob checked against its digest and size before it enters the store), or
// from an OCI layout or archive on disk. Progress is logged every few
// seconds (a bar on a terminal) and, under systemd, the start timeout is
// extended while data flows.
Result<PullResult> pull_image(const PullRequest& request);

// ROOT/etc/containers/registries.conf ($CONTAINERS_REGISTRIES_CONF if set)
// and registries.conf.d/.
Result<RegistriesConfig> load_machine_registries_config(const Paths& paths);

}  // namespace ctapp
