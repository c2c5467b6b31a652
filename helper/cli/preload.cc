// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/preload.h"

#include <cstdio>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/config_files.h"
#include "runtime/app_locks.h"
#include "core/log.h"
#include "json/json_reader.h"
#include "runtime/app_layout.h"

namespace ctapp {
namespace {

constexpr const char* kUsage = "ctapp [--root DIR] preload [--authfile FILE] --all | NAME...";
constexpr const char* kDefaultSeccompProfile = "/usr/share/containers/seccomp.json";

// A file the app names, as the booted machine will see it: inside the root.
std::filesystem::path in_root(const Paths& paths, const std::filesystem::path& file) {
  return paths.under_root(file);
}

// The auth files for a pull into an image root: the root's machine-wide
// file first, then the build machine's usual ones; --authfile alone if given.
std::vector<std::filesystem::path> preload_auth_files(const Paths& paths, const std::string& authfile) {
  if (!authfile.empty()) return {authfile};
  std::vector<std::filesystem::path> files = {paths.under_root("/etc/containers/auth.json")};
  for (const auto& file : default_auth_files())
    if (file != files.front()) files.push_back(file);
  return files;
}

struct PreloadArgs {
  bool all = false;
  std::string authfile;
  std::vector<std::string> names;
};

std::optional<PreloadArgs> parse_args(const std::vector<std::string>& args) {
  PreloadArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--all") {
      parsed.all = true;
    } else if (arg == "--authfile" && i + 1 < args.size()) {
      parsed.authfile = args[++i];
    } else if (arg.starts_with("--authfile=")) {
      parsed.authfile = arg.substr(11);
    } else if (arg.starts_with("-")) {
      return std::nullopt;
    } else {
      parsed.names.push_back(arg);
    }
  }
  if (parsed.all == !parsed.names.empty()) return std::nullopt;
  return parsed;
}

}  // namespace

Status preload_app(const Paths& paths, const LoadedApp& app, const PullSettings& pull) {
  const AppLayout& layout = app.layout;
  const std::string& name = app.config.name;
  if (auto stopped = refuse_if_running(layout.lock_dir, name); !stopped) return stopped;
  auto setup = lock_app_setup(layout.lock_dir, name);
  if (!setup) return std::unexpected(setup.error());
  auto unpacked = unpack_app(paths, app, pull);
  if (!unpacked) return std::unexpected(unpacked.error());

  Paths booted = paths;
  booted.root = "/";
  auto target = app_layout(booted, app.config);
  if (!target) return std::unexpected(target.error());
  AppConfig config = app.config;
  for (auto& file : config.run.env_files) file = in_root(paths, file).string();
  if (!config.run.seccomp_profile.empty() && config.run.seccomp_profile != "unconfined")
    config.run.seccomp_profile = in_root(paths, config.run.seccomp_profile).string();
  // The version directory preload unpacked to (man ctapp, VERSIONS).
  const AppLayout& version = unpacked->layout;
  BundleInputs inputs = bundle_inputs(config, version, *target, *unpacked);
  std::error_code error;
  if (std::filesystem::exists(in_root(paths, kDefaultSeccompProfile), error))
    inputs.seccomp_profile = in_root(paths, kDefaultSeccompProfile);
  auto bundle = build_runtime_config(inputs);
  if (!bundle) return std::unexpected(bundle.error());
  if (auto written = write_file_atomic(version.config_json, dump_json(bundle->config, 2) + "\n", {.mode = 0600});
      !written)
    return written;
  log(LogLevel::kNotice, "preloaded app '{}': {} unpacked to '{}'", name,
      unpacked->image_digest.empty() ? std::string("its rootfs") : unpacked->image_digest, version.bundle.string());
  return {};
}

int run_preload_command(const GlobalOptions& options, const std::vector<std::string>& args) {
  auto parsed = parse_args(args);
  if (!parsed) {
    std::fprintf(stderr, "Usage: %s\n", kUsage);
    return 2;
  }
  PullSettings pull;
  pull.auth_files = preload_auth_files(options.paths, parsed->authfile);
  pull.host_registries_fallback = true;
  if (parsed->all) {
    AppDiscovery discovery = find_apps(options.paths.config_dirs);
    for (const auto& source : discovery.apps) parsed->names.push_back(source.name);
    if (parsed->names.empty()) {
      std::vector<std::string> dirs;
      for (const auto& dir : options.paths.config_dirs) dirs.push_back("'" + dir.string() + "'");
      log(LogLevel::kErr, "preload --all: no apps in {}: add NAME.ctapp files there first",
          fmt::join(dirs, ", "));
      return 1;
    }
  }
  int status = 0;
  for (const auto& name : parsed->names) {
    auto app = load_app(options.paths, name);
    Status preloaded = app ? preload_app(options.paths, *app, pull) : std::unexpected(app.error());
    if (!preloaded) {
      log(LogLevel::kErr, "preload of app '{}' failed: {}", name, preloaded.error().message);
      status = 1;
    }
  }
  return status;
}

}  // namespace ctapp
