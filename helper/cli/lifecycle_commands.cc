// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/lifecycle_commands.h"

#include <cstdio>

#include "cli/app_loader.h"
#include "cli/lifecycle.h"
#include "cli/prepare.h"
#include "core/log.h"
#include "core/value_checks.h"
#include "runtime/app_layout.h"

namespace ctapp {
namespace {

bool usage_unless(bool ok, const char* usage) {
  if (!ok) std::fprintf(stderr, "Usage: %s\n", usage);
  return ok;
}

// Prepare, run, cleanup in one go, for trying a file out and for machines
// without systemd. The supervisor runs as a child in its own process group;
// every signal sent to this process is passed on (SIGINT, SIGTERM, SIGHUP
// and SIGQUIT as a stop), and cleanup runs whatever ended the app.
int run_foreground(const GlobalOptions& options, const std::string& name_or_file) {
  bool is_file = name_or_file.find('/') != std::string::npos || name_or_file.ends_with(".ctapp");
  auto app = is_file ? load_app_file(options.paths, name_or_file) : load_app(options.paths, name_or_file);
  if (!app) {
    log(LogLevel::kErr, "{}", app.error().message);
    return 1;
  }
  const std::string& name = app->config.name;
  if (auto prepared = prepare_app(options.paths, *app, {.apply_resources = true}); !prepared) {
    log(LogLevel::kErr, "prepare of app '{}' failed: {}", name, prepared.error().message);
    return 1;
  }
  auto status = run_app_in_child(*app);
  if (auto cleaned = cleanup_app(options.paths, name); !cleaned)
    log(LogLevel::kErr, "cleanup of app '{}' failed: {}", name, cleaned.error().message);
  if (!status) {
    log(LogLevel::kErr, "{}", status.error().message);
    return 1;
  }
  return *status;
}

}  // namespace

int run_prepare_command(const GlobalOptions& options, const std::vector<std::string>& args) {
  if (!usage_unless(args.size() == 1, "ctapp prepare NAME")) return 2;
  auto app = load_app(options.paths, args[0]);
  if (!app) {
    log(LogLevel::kErr, "{}", app.error().message);
    return 1;
  }
  if (auto prepared = prepare_app(options.paths, *app); !prepared) {
    log(LogLevel::kErr, "prepare of app '{}' failed: {}", args[0], prepared.error().message);
    return 1;
  }
  return 0;
}

int run_run_command(const GlobalOptions& options, const std::vector<std::string>& args) {
  if (args.size() == 2 && args[0] == "--foreground") return run_foreground(options, args[1]);
  if (!usage_unless(args.size() == 1, "ctapp run NAME | ctapp run --foreground NAME|FILE.ctapp"))
    return 2;
  auto status = run_prepared_app(options.paths, args[0]);
  if (!status) {
    log(LogLevel::kErr, "{}", status.error().message);
    return 1;
  }
  return *status;
}

int run_cleanup_command(const GlobalOptions& options, const std::vector<std::string>& args) {
  if (!usage_unless(args.size() == 1, "ctapp cleanup NAME")) return 2;
  if (auto valid = check_app_name(args[0]); !valid) {
    log(LogLevel::kErr, "{}", valid.error().message);
    return 2;
  }
  if (auto cleaned = cleanup_app(options.paths, args[0]); !cleaned) {
    log(LogLevel::kErr, "cleanup of app '{}' failed: {}", args[0], cleaned.error().message);
    return 1;
  }
  return 0;
}

}  // namespace ctapp
