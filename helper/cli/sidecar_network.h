// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>

#include "core/app_config.h"
#include "core/paths.h"
#include "core/result.h"
#include "network/app_network.h"

namespace ctapp {

// The network of an app in [network] mode "app:OTHER": OTHER's namespace
// (ROOT/run/netns/ctapp-OTHER for a bridge app, its container's for mode
// none), no CNI, and the files of a pod member (join_app_network). Fails
// naming both apps when OTHER has no .ctapp, uses the host's network, is a
// sidecar itself, or is not running (with how to start it).
Result<NetworkAttachment> attach_sidecar_network(const Paths& paths, const AppConfig& app,
                                                 const std::filesystem::path& runtime_dir);

}  // namespace ctapp
