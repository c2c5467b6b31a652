// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/app_config.h"
#include "core/result.h"
#include "bundle/foreground_limits.h"
#include "unpack/id_shift.h"

namespace ctapp {

struct BundleInputs {
  const AppConfig* app = nullptr;
  // The image config's "config" object (Env, Entrypoint, Cmd, ...); null
  // for `rootfs =` apps.
  const nlohmann::json* image_config = nullptr;
  std::filesystem::path rootfs;     // the unpacked (lower) root, for lookups
  std::filesystem::path root_path;  // config.json root.path: the merged overlay
  std::filesystem::path data_dir;   // ROOT/var/lib/ctapp/apps/NAME: volumes live here
  std::filesystem::path notify_dir; // the host side of the container's sd_notify socket
  std::string cgroups_path;         // empty: the runtime's default
  // linux.resources limits: set only when no systemd unit applies [resources].
  ForegroundLimits limits;
  std::filesystem::path netns;      // bridge, app:OTHER: the namespace to join
  std::string hostname;             // empty: [run] hostname, else the app's name
  // A user namespace: the mappings, and the offset of the rootfs' ids.
  std::vector<IdMapping> uid_map;
  std::vector<IdMapping> gid_map;
  IdShift id_shift;
  // Files bound over the image's (/etc/hosts, /etc/resolv.conf, /etc/hostname).
  std::vector<std::pair<std::filesystem::path, std::string>> etc_files;
  std::filesystem::path seccomp_profile = "/usr/share/containers/seccomp.json";
  std::filesystem::path init_binary = "/usr/bin/tini-static";  // for [run] init = true
};

// A host directory that backs a volume, and the owner it must have.
struct VolumeDir {
  std::filesystem::path host;
  std::string target;
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0755;
  // Below the app's data directory (0700): the image's mode is kept. A
  // host path named in the .ctapp is created without write access for
  // others, whatever the image says.
  bool in_app_data = false;
};

struct RuntimeBundle {
  nlohmann::json config;        // config.json
  std::string stop_signal;      // the app's or the image's, default SIGTERM
  std::vector<VolumeDir> volumes;
};

// Builds the OCI runtime config: the image config (Env, Entrypoint + Cmd,
// WorkingDir, User resolved in the rootfs, Volumes, Labels as annotations,
// StopSignal) overridden by the .ctapp; hardened by default (Docker's default
// capabilities, noNewPrivileges, masked and read-only /proc paths as runc
// sets them, containers-common's seccomp profile when installed). Reads
// env_files here, at start, so secrets never reach a unit file.
Result<RuntimeBundle> build_runtime_config(const BundleInputs& inputs);

// Creates the volume directories that do not exist yet, owned as the image
// has the target path (so an entrypoint that chowns /data, or a non-root
// user, finds what it expects); existing ones are left as they are, but with
// a user namespace one owned outside the app's range is an error that says
// how to fix it.
Status prepare_volume_dirs(const std::vector<VolumeDir>& volumes, const IdShift& shift = {});

// "/var/lib/data" -> "var-lib-data": the directory name of a volume below
// the app's data directory.
std::string volume_dir_name(const std::string& target);

// KEY=VALUE lines of an environment file (# comments, blank lines, optional
// "export ", single or double quotes); fails naming the file and line.
Result<std::vector<std::pair<std::string, std::string>>> read_env_file(
    const std::filesystem::path& path);

}  // namespace ctapp
