// SPDX-License-Identifier: LGPL-2.1-or-later
#include "kube/kube_pod.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "core/value_checks.h"
#include "kube/kube_container.h"
#include "kube/kube_values.h"

namespace ctapp {
namespace {

using Json = nlohmann::ordered_json;

// systemd's Restart= as a restartPolicy; empty is the unit's default, "no".
std::optional<std::string> restart_policy(const std::string& restart) {
  if (restart == "always") return "Always";
  if (restart == "on-failure" || restart == "on-abnormal" || restart == "on-abort" ||
      restart == "on-watchdog")
    return "OnFailure";
  if (restart.empty() || restart == "no") return "Never";
  return std::nullopt;  // on-success
}

// The index in `apps` of the app whose pod `index` joins (itself if none).
size_t pod_owner(const std::vector<KubeApp>& apps, size_t index) {
  size_t owner = index;
  // Bounded: a cycle (a -> b -> a) cannot pass the parser, but stays finite.
  for (size_t hops = 0; hops < apps.size(); ++hops) {
    const AppConfig& app = apps[owner].config;
    if (app.network.mode != NetworkMode::kApp) break;
    auto next = std::find_if(apps.begin(), apps.end(),
                             [&](const KubeApp& other) { return other.config.name == app.network.app; });
    if (next == apps.end()) break;
    owner = static_cast<size_t>(next - apps.begin());
  }
  return owner;
}

class PodBuilder {
 public:
  PodBuilder(const std::vector<const KubeApp*>& members, const KubeOptions& options)
      : members_(members), options_(options), owner_(members.front()->config) {}

  std::vector<KubeDocument> build(std::vector<std::string>& all_unexpressed) {
    std::string name = kube_label(owner_.name);
    Json spec = Json::object();
    add_pod_settings(spec);
    std::vector<Json> claims;
    for (const KubeApp* app : members_) {
      KubeAppParts parts = kube_app_parts(app->config, app->image);
      spec["containers"].push_back(parts.container);
      for (auto& volume : parts.volumes) spec["volumes"].push_back(volume);
      for (auto& claim : parts.claims) claims.push_back(claim);
      append(notes_, parts.notes);
      append(unexpressed_, parts.unexpressed);
      add_service_keys(app->config);
    }
    Json labels = {{"app", name}};
    Json metadata = {{"name", name}, {"labels", labels}};
    if (!annotations_.empty()) metadata["annotations"] = annotations_;
    KubeDocument pod;
    if (options_.deployment) {
      Json template_metadata = {{"labels", labels}};
      if (!annotations_.empty()) template_metadata["annotations"] = annotations_;
      pod.body = {{"apiVersion", "apps/v1"},
                  {"kind", "Deployment"},
                  {"metadata", {{"name", name}, {"labels", labels}}},
                  {"spec",
                   {{"replicas", 1},
                    {"selector", {{"matchLabels", labels}}},
                    {"template", {{"metadata", template_metadata}, {"spec", spec}}}}}};
    } else {
      pod.body = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", metadata}, {"spec", spec}};
    }
    std::string sources;
    for (const KubeApp* app : members_)
      sources += (sources.empty() ? "" : ", ") + app->config.source_path.filename().string();
    pod.comments.push_back(fmt::format("{} '{}' from {}", options_.deployment ? "Deployment" : "Pod",
                                       name, sources.empty() ? "(no file)" : sources));
    for (const auto& line : notes_) pod.comments.push_back(line);
    for (const auto& line : unexpressed_) pod.comments.push_back("cannot express: " + line);
    append(all_unexpressed, unexpressed_);
    std::vector<KubeDocument> documents{std::move(pod)};
    for (auto& claim : claims) documents.push_back({{}, std::move(claim)});
    return documents;
  }

 private:
  static void append(std::vector<std::string>& to, const std::vector<std::string>& from) {
    to.insert(to.end(), from.begin(), from.end());
  }
  void unexpressed(const AppConfig& app, std::string text) {
    unexpressed_.push_back(fmt::format("app '{}': {}", app.name, text));
  }

  // What the pod as a whole gets from its owner (network, hostname,
  // restart, platform) and from every member (user namespace, stop
  // timeout, sysctls, annotations).
  void add_pod_settings(Json& spec) {
    const NetworkSettings& network = owner_.network;
    if (network.mode == NetworkMode::kHost) spec["hostNetwork"] = true;
    if (network.mode == NetworkMode::kNone)
      unexpressed(owner_, "network mode none: a pod always has a network");
    if (network.mode == NetworkMode::kApp)
      unexpressed(owner_, fmt::format("network 'app:{}': give '{}' too, so that both share one pod",
                                      network.app, network.app));
    if (!network.network.empty())
      unexpressed(owner_, fmt::format("network '{}': the cluster's network plugin decides",
                                      network.network));
    if (!owner_.run.hostname.empty()) spec["hostname"] = owner_.run.hostname;
    bool own_users = std::any_of(members_.begin(), members_.end(), [](const KubeApp* app) {
      return app->config.run.user_namespace == UserNamespaceMode::kAuto ||
             !app->config.run.uid_map.empty();
    });
    // The API server refuses hostUsers: false beside hostNetwork: true.
    if (own_users && network.mode == NetworkMode::kHost)
      unexpressed(owner_, "a user namespace with the host network: Kubernetes allows hostUsers: "
                          "false only in the pod's own network; hostUsers is left out");
    else if (own_users)
      spec["hostUsers"] = false;
    add_restart_policy(spec);
    long grace = 0;
    for (const KubeApp* app : members_)
      if (auto span = parse_time_span(app->config.service.stop_timeout);
          span && !app->config.service.stop_timeout.empty())
        grace = std::max(grace, kube_seconds(*span, 0));
    if (grace > 0) spec["terminationGracePeriodSeconds"] = grace;
    if (!owner_.platform.empty()) add_node_selector(spec);
    Json sysctls = Json::array();
    for (const KubeApp* app : members_)
      for (const auto& [name, value] : app->config.run.sysctl) {
        sysctls.push_back({{"name", name}, {"value", value}});
        if (app != members_.front() || members_.size() > 1)
          notes_.push_back(fmt::format("app '{}': sysctl '{}' applies to the whole pod",
                                       app->config.name, name));
      }
    if (!sysctls.empty()) spec["securityContext"]["sysctls"] = sysctls;
    for (const KubeApp* app : members_)
      for (const auto& [key, value] : app->config.run.annotations) annotations_[key] = value;
  }

  void add_restart_policy(Json& spec) {
    const std::string& restart = owner_.service.restart;
    auto policy = restart_policy(restart);
    if (options_.deployment) {
      // A Deployment's pods always restart.
      if (policy != "Always")
        unexpressed(owner_, fmt::format("restart = '{}': a Deployment always restarts its pods",
                                        restart.empty() ? "no" : restart));
      return;
    }
    if (!policy)
      unexpressed(owner_, fmt::format("restart = '{}': no such restartPolicy; using Never", restart));
    spec["restartPolicy"] = policy.value_or("Never");
    for (const KubeApp* app : members_)
      if (restart_policy(app->config.service.restart) != policy)
        unexpressed(app->config, fmt::format("restart = '{}': the pod's restartPolicy is {}'s",
                                             app->config.service.restart, owner_.name));
  }

  void add_node_selector(Json& spec) {
    std::string_view platform = owner_.platform;
    auto slash = platform.find('/');
    std::string_view os = platform.substr(0, slash);
    std::string_view rest = slash == std::string_view::npos ? "" : platform.substr(slash + 1);
    auto variant = rest.find('/');
    spec["nodeSelector"] = {{"kubernetes.io/os", std::string(os)},
                            {"kubernetes.io/arch", std::string(rest.substr(0, variant))}};
    if (variant != std::string_view::npos)
      unexpressed(owner_, fmt::format("platform variant '{}': nodes have no variant label",
                                      rest.substr(variant + 1)));
  }

  // [service] and [systemd] keys that are about systemd's unit.
  void add_service_keys(const AppConfig& app) {
    const ServiceSettings& s = app.service;
    if (!s.description.empty())
      notes_.push_back(fmt::format("app '{}': description: {}", app.name, s.description));
    for (const auto& other : s.after)
      unexpressed(app, fmt::format("after '{}': pods start in no order", other));
    for (const auto& other : s.requires_apps)
      unexpressed(app, fmt::format("requires '{}': pods start in no order", other));
    for (const auto& target : s.wanted_by)
      unexpressed(app, fmt::format("wanted_by '{}': a cluster starts every pod it is given", target));
    if (!s.restart_sec.empty())
      unexpressed(app, fmt::format("restart_sec = '{}': the kubelet backs off by itself", s.restart_sec));
    if (!s.start_timeout.empty())
      unexpressed(app, fmt::format("start_timeout = '{}': no start timeout", s.start_timeout));
    if (!s.pull_timeout.empty())
      unexpressed(app, fmt::format("pull_timeout = '{}': the kubelet's setting", s.pull_timeout));
    if (s.auto_update) unexpressed(app, "auto_update = true: roll out a new image digest instead");
    for (const auto& [section, keys] : app.systemd.sections)
      unexpressed(app, fmt::format("[systemd.{}]: {} systemd setting(s)", section, keys.size()));
  }

  const std::vector<const KubeApp*>& members_;
  const KubeOptions& options_;
  const AppConfig& owner_;
  Json annotations_ = Json::object();
  std::vector<std::string> notes_;
  std::vector<std::string> unexpressed_;
};

}  // namespace

KubeOutput kube_documents(const std::vector<KubeApp>& apps, const KubeOptions& options) {
  KubeOutput output;
  std::vector<size_t> owners;
  for (size_t i = 0; i < apps.size(); ++i) owners.push_back(pod_owner(apps, i));
  for (size_t i = 0; i < apps.size(); ++i) {
    if (owners[i] != i) continue;
    std::vector<const KubeApp*> members{&apps[i]};
    for (size_t j = 0; j < apps.size(); ++j)
      if (j != i && owners[j] == i) members.push_back(&apps[j]);
    for (auto& document : PodBuilder(members, options).build(output.unexpressed))
      output.documents.push_back(std::move(document));
  }
  return output;
}

}  // namespace ctapp
