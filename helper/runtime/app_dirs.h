// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <filesystem>

#include "core/paths.h"
#include "core/result.h"
#include "runtime/app_layout.h"

namespace ctapp {

// What an image carries (setuid files, device nodes, world-writable
// directories) must not be reachable by other users of the machine, so
// ctapp's trees are closed as Docker's and Podman's are. This is the one
// place that creates them and sets their owner and mode; it also corrects
// directories that an older ctapp left open (man ctapp(8), FILES AND MODES):
//   ROOT/opt/containers, ROOT/var/lib/ctapp, .../apps, ROOT/run/ctapp
//                                          root 0711 (traversable only)
//   ROOT/var/lib/ctapp/images, ROOT/var/lib/ctapp/versions,
//   ROOT/run/ctapp/locks, ROOT/run/ctapp/runc
//                                          root 0700
//   ROOT/opt/containers/NAME-VERSION, ROOT/var/lib/ctapp/apps/NAME,
//   ROOT/run/ctapp/NAME                    the app's root 0700
//   ROOT/run/ctapp/NAME/notify             the app's root 0711
// The app's root is uid/gid 0, or the first host id of its range with a
// user namespace (the container's root must still reach its rootfs, volumes
// and runtime files).

// A directory with exactly this owner and mode (permission bits only),
// created if missing (its missing parents 0755 root); never through a
// symbolic link.
Status ensure_directory(const std::filesystem::path& path, mode_t mode, uid_t uid = 0, gid_t gid = 0);

// The shared parents and the image store.
Status ensure_shared_dirs(const Paths& paths);

// The shared parents plus the app's own directories.
Status ensure_app_dirs(const Paths& paths, const AppLayout& layout, uid_t root_id);

}  // namespace ctapp
