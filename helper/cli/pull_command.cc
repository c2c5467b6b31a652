// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/pull_command.h"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "json/json_reader.h"
#include "store/ref_name.h"
#include "core/app_config_parser.h"
#include "core/config_files.h"
#include "core/image_reference.h"
#include "registry/puller.h"
#include "runtime/app_dirs.h"

namespace ctapp {

int run_pull_command(const GlobalOptions& options, const std::vector<std::string>& args) {
  PullRequest request;
  request.paths = options.paths;
  for (const auto& arg : args) {
    if (arg.starts_with("--platform=")) {
      auto platform = Platform::parse(arg.substr(11));
      if (!platform) {
        log(LogLevel::kErr, "{}", platform.error().message);
        return 2;
      }
      request.platform = *platform;
    } else if (arg == "--tls-verify=false") {
      request.options.tls_verify = false;
    } else if (arg.starts_with("-") || !request.reference.empty()) {
      std::fprintf(stderr, "Usage: ctapp pull [--platform=OS/ARCH[/VARIANT]] [--tls-verify=false] REF\n");
      return 2;
    } else {
      request.reference = arg;
    }
  }
  if (request.reference.empty()) {
    std::fprintf(stderr, "Usage: ctapp pull [--platform=OS/ARCH[/VARIANT]] [--tls-verify=false] REF\n");
    return 2;
  }
  if (const char* stall = std::getenv("CTAPP_STALL_TIMEOUT"); stall && std::atol(stall) > 0)
    request.options.stall_seconds = std::atol(stall);
  if (auto dirs = ensure_shared_dirs(options.paths); !dirs) {
    log(LogLevel::kErr, "{}", dirs.error().message);
    return 1;
  }
  auto pulled = pull_image(request);
  if (!pulled) {
    log(LogLevel::kErr, "{}", pulled.error().message);
    return 1;
  }
  std::printf("%s %s\n", pulled->store_name.c_str(), pulled->manifest.digest.c_str());
  return 0;
}

int run_images_command(const GlobalOptions& options, const std::vector<std::string>& args) {
  bool json = !args.empty() && args[0] == "--json";
  if (args.size() > (json ? 1u : 0u)) {
    std::fprintf(stderr, "Usage: ctapp images [--json]\n");
    return 2;
  }
  struct Listed {
    std::string name;
    std::string digest;
    int64_t size = 0;
    std::vector<std::string> apps;
  };
  std::vector<Listed> listed;
  auto store = OciLayout::open(options.paths.image_store());
  if (store) {
    auto refs = store->refs();
    if (!refs) {
      log(LogLevel::kErr, "{}", refs.error().message);
      return 1;
    }
    // Which apps use each image: the .ctapp files, as the generator sees them.
    std::map<std::string, std::vector<std::string>> users;
    for (const auto& source : find_apps(options.paths.config_dirs).apps) {
      auto app = parse_app(source);
      if (!app || app->image.empty()) continue;
      auto platform = app->platform.empty() ? Platform::current() : Platform::parse(app->platform);
      if (auto ref = parse_image_reference(app->image); ref && platform)
        users[store_ref_name(*ref, *platform)].push_back(app->name);
    }
    for (const auto& [name, descriptor] : *refs) {
      int64_t size = descriptor.size;
      if (auto image = store->load_image(descriptor, Platform::current()); image) {
        size += image->config_descriptor.size;
        for (const auto& layer : image->layers) size += layer.descriptor.size;
      }
      listed.push_back({name, descriptor.digest, size, users[name]});
    }
  }
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& image : listed)
      list.push_back({{"name", image.name}, {"digest", image.digest}, {"size", image.size}, {"apps", image.apps}});
    std::printf("%s\n", dump_json(list, 2).c_str());
    return 0;
  }
  std::printf("%-50s %-20s %10s  %s\n", "IMAGE", "DIGEST", "SIZE", "APPS");
  for (const auto& image : listed) {
    std::string apps;
    for (const auto& app : image.apps) apps += (apps.empty() ? "" : ",") + app;
    std::printf("%-50s %-20s %8.1fMB  %s\n", image.name.c_str(), image.digest.substr(0, 19).c_str(),
                static_cast<double>(image.size) / 1e6, apps.empty() ? "-" : apps.c_str());
  }
  return 0;
}

}  // namespace ctapp
