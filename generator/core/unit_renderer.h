// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <string>
#include <vector>

#include "core/app_config.h"
#include "core/result.h"
#include "core/unit_file.h"

namespace ctapp {

// What the generator writes for one app.
struct RenderedApp {
  std::string unit_name;               // "ctapp@NAME.service"
  std::string dropin_name;             // "ctapp@NAME.service.d/50-ctapp.conf"
  std::string dropin_text;             // with header comment and SourcePath=
  UnitFile unit;                       // what dropin_text holds
  std::vector<std::string> wants_links;  // "multi-user.target.wants/ctapp@NAME.service"
};

// The drop-in for ctapp@NAME.service. `needs_pull` adds ordering after
// network-online.target (only then: a pre-provisioned app starts without
// waiting for the network). Secrets (env values) are never rendered. Fails
// when a value cannot be written safely (UnitFile says which); the parser
// rejects such values first, so this is the last line of defence.
Result<RenderedApp> render_app(const AppConfig& app, bool needs_pull);

// "ctapp@NAME.service" for an app name; other unit names pass through.
std::string unit_for_dependency(const std::string& app_or_unit);

}  // namespace ctapp
