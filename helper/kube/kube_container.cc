// SPDX-License-Identifier: LGPL-2.1-or-later
#include "kube/kube_container.h"

#include <charconv>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "kube/kube_values.h"

namespace ctapp {
namespace {

using Json = nlohmann::ordered_json;

// A numeric uid or gid; nullopt for a name.
std::optional<uint32_t> numeric_id(std::string_view text) {
  uint32_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

const char* pull_policy(PullPolicy pull) {
  switch (pull) {
    case PullPolicy::kAlways:
    case PullPolicy::kNewer:
      return "Always";
    case PullPolicy::kNever:
      return "Never";
    case PullPolicy::kMissing:
      break;
  }
  return "IfNotPresent";
}

// tcp:PORT or a command, as a probe's handler.
Json probe_handler(const ReadyProbe& probe) {
  if (const auto* tcp = std::get_if<TcpProbe>(&probe)) return Json{{"tcpSocket", {{"port", tcp->port}}}};
  if (const auto* exec = std::get_if<ExecProbe>(&probe)) return Json{{"exec", {{"command", exec->argv}}}};
  return Json();
}

Json health_probe(const HealthSettings& health) {
  Json probe = probe_handler(health.check);
  if (health.start_period.count() > 0)
    probe["initialDelaySeconds"] = kube_seconds(health.start_period, 0);
  probe["periodSeconds"] = kube_seconds(health.interval, 1);
  probe["timeoutSeconds"] = kube_seconds(health.timeout, 1);
  probe["failureThreshold"] = std::max<uint32_t>(health.retries, 1);
  return probe;
}

class ContainerBuilder {
 public:
  ContainerBuilder(const AppConfig& app, const KubeImage& image) : app_(app), image_(image) {}

  KubeAppParts build() {
    parts_.notes = image_.notes;
    parts_.unexpressed = image_.unexpressed;
    Json& c = parts_.container;
    c["name"] = kube_label(app_.name);
    c["image"] = image_.reference;
    c["imagePullPolicy"] = pull_policy(app_.pull);
    // Kubernetes' command replaces the image's Entrypoint and args its Cmd,
    // as [run] entrypoint and command do (a new entrypoint drops Cmd in both).
    if (app_.run.entrypoint) c["command"] = *app_.run.entrypoint;
    if (app_.run.command) c["args"] = *app_.run.command;
    if (!app_.run.workdir.empty()) c["workingDir"] = app_.run.workdir;
    add_env();
    add_ports();
    add_resources();
    add_mounts();
    add_probes();
    add_security();
    add_unexpressed_run_keys();
    return std::move(parts_);
  }

 private:
  void unexpressed(std::string text) {
    parts_.unexpressed.push_back(fmt::format("app '{}': {}", app_.name, text));
  }
  void note(std::string text) { parts_.notes.push_back(fmt::format("app '{}': {}", app_.name, text)); }

  void add_env() {
    Json& c = parts_.container;
    for (const auto& [name, value] : app_.run.env) c["env"].push_back({{"name", name}, {"value", value}});
    for (const auto& file : app_.run.env_files) {
      std::string secret =
          kube_label(app_.name + "-" + std::filesystem::path(file).filename().string());
      c["envFrom"].push_back({{"secretRef", {{"name", secret}}}});
      note(fmt::format("env_files '{}' is the Secret '{}': kubectl create secret generic {} "
                       "--from-env-file={}",
                       file, secret, secret, file));
    }
  }

  void add_ports() {
    for (const auto& port : app_.network.publish) {
      Json entry = {{"containerPort", port.container_port}};
      if (port.host_port != 0) entry["hostPort"] = port.host_port;
      if (!port.host_ip.empty()) entry["hostIP"] = port.host_ip;
      entry["protocol"] = port.protocol == Protocol::kUdp ? "UDP" : "TCP";
      parts_.container["ports"].push_back(entry);
    }
  }

  void add_resources() {
    const ResourceSettings& r = app_.resources;
    Json limits = Json::object();
    if (!r.memory_max.empty()) {
      if (auto memory = kube_memory(r.memory_max))
        limits["memory"] = *memory;
      else if (r.memory_max != "infinity")
        unexpressed(fmt::format("memory_max = '{}': a limit must be an amount", r.memory_max));
    }
    if (!r.cpu_quota.empty()) {
      if (auto cpu = kube_cpu(r.cpu_quota)) limits["cpu"] = *cpu;
    }
    if (!limits.empty()) parts_.container["resources"]["limits"] = limits;
    if (!r.memory_high.empty())
      unexpressed(fmt::format("memory_high = '{}': Kubernetes has no memory throttle", r.memory_high));
    if (r.cpu_weight) unexpressed(fmt::format("cpu_weight = {}: Kubernetes sets it from requests.cpu", *r.cpu_weight));
    if (!r.tasks_max.empty())
      unexpressed(fmt::format("tasks_max = '{}': the pid limit is the kubelet's (podPidsLimit)", r.tasks_max));
    if (!r.allowed_cpus.empty())
      unexpressed(fmt::format("allowed_cpus = '{}': CPU pinning is the kubelet's CPU manager", r.allowed_cpus));
    if (r.io_weight) unexpressed(fmt::format("io_weight = {}: Kubernetes has no I/O weight", *r.io_weight));
    if (!r.memory_swap_max.empty())
      unexpressed(fmt::format("memory_swap_max = '{}': swap is the node's setting", r.memory_swap_max));
  }

  void add_volume(const std::string& name, const std::string& target, bool read_only, Json source) {
    Json mount = {{"name", name}, {"mountPath", target}};
    if (read_only) mount["readOnly"] = true;
    parts_.container["volumeMounts"].push_back(mount);
    Json volume = {{"name", name}};
    volume.update(source);
    parts_.volumes.push_back(volume);
  }

  void add_mounts() {
    for (const auto& v : app_.volumes) {
      std::string claim = kube_label(app_.name + "-" + v.target);
      add_volume(claim, v.target, v.read_only, {{"persistentVolumeClaim", {{"claimName", claim}}}});
      parts_.claims.push_back(
          {{"apiVersion", "v1"},
           {"kind", "PersistentVolumeClaim"},
           {"metadata", {{"name", claim}, {"labels", {{"app", kube_label(app_.name)}}}}},
           {"spec",
            {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}});
      note(fmt::format("volume '{}' is the claim '{}'; its size (1Gi) is a placeholder{}", v.target,
                       claim,
                       v.source.empty() ? ""
                                        : fmt::format("; the data on this machine is in '{}'", v.source)));
    }
    for (const auto& m : app_.mounts) {
      std::string name = kube_label(app_.name + "-host-" + m.target);
      add_volume(name, m.target, m.read_only, {{"hostPath", {{"path", m.source}}}});
      note(fmt::format("[[mount]] '{}' on '{}' is a hostPath: the node's '{}', which must exist on "
                       "every node the pod may run on",
                       m.source, m.target, m.source));
    }
    for (const auto& t : app_.run.tmpfs) {
      Json dir = {{"medium", "Memory"}};
      if (auto size = kube_memory(t.size)) dir["sizeLimit"] = *size;
      add_volume(kube_label(app_.name + "-tmpfs-" + t.target), t.target, false, {{"emptyDir", dir}});
      if (t.mode != "1777")
        unexpressed(fmt::format("tmpfs '{}' mode {}: an emptyDir has no mode", t.target, t.mode));
    }
    if (app_.run.shm_size != "64M") {
      Json dir = {{"medium", "Memory"}};
      if (auto size = kube_memory(app_.run.shm_size)) dir["sizeLimit"] = *size;
      add_volume(kube_label(app_.name + "-shm"), "/dev/shm", false, {{"emptyDir", dir}});
    }
  }

  void add_probes() {
    const ServiceSettings& s = app_.service;
    bool has_health = !std::holds_alternative<std::monostate>(app_.health.check);
    // `ready` exists only with notify = "healthy" (the parser sees to it).
    if (!std::holds_alternative<std::monostate>(s.ready)) {
      parts_.container["readinessProbe"] = probe_handler(s.ready);
    } else if (s.notify == NotifyMode::kContainer) {
      unexpressed("notify = container (sd_notify READY=1): Kubernetes has no readiness by "
                  "notification; add a readinessProbe");
    }
    if (!s.ready_timeout.empty())
      unexpressed(fmt::format("ready_timeout = '{}': a pod that is never ready is not stopped",
                              s.ready_timeout));
    if (has_health) {
      parts_.container["livenessProbe"] = health_probe(app_.health);
      if (app_.health.on_failure == HealthOnFailure::kNone)
        unexpressed("[health] on_failure = none: Kubernetes restarts a container whose "
                    "livenessProbe fails");
    }
  }

  void add_security() {
    const RunSettings& run = app_.run;
    Json security = Json::object();
    if (!run.user.empty()) {
      std::string_view user = run.user;
      auto colon = user.find(':');
      std::string_view gid = colon == std::string_view::npos ? "" : user.substr(colon + 1);
      if (auto uid = numeric_id(user.substr(0, colon))) {
        security["runAsUser"] = *uid;
        if (auto group = numeric_id(gid))
          security["runAsGroup"] = *group;
        else if (!gid.empty())
          unexpressed(fmt::format("user '{}': runAsGroup needs a number", run.user));
      } else {
        unexpressed(fmt::format("user '{}': runAsUser needs a number; look the name up in the "
                                "image's /etc/passwd",
                                run.user));
      }
    }
    if (run.read_only) security["readOnlyRootFilesystem"] = true;
    if (run.no_new_privileges) security["allowPrivilegeEscalation"] = false;
    Json caps = Json::object();
    auto cap_names = [](const std::vector<std::string>& names) {
      Json list = Json::array();
      for (const auto& name : names) list.push_back(name.starts_with("CAP_") ? name.substr(4) : name);
      return list;
    };
    if (!run.cap_add.empty()) caps["add"] = cap_names(run.cap_add);
    if (!run.cap_drop.empty()) caps["drop"] = cap_names(run.cap_drop);
    if (!caps.empty()) security["capabilities"] = caps;
    if (run.seccomp_profile.empty()) {
      security["seccompProfile"] = {{"type", "RuntimeDefault"}};
    } else if (run.seccomp_profile == "unconfined") {
      security["seccompProfile"] = {{"type", "Unconfined"}};
    } else {
      std::string file = std::filesystem::path(run.seccomp_profile).filename().string();
      security["seccompProfile"] = {{"type", "Localhost"}, {"localhostProfile", file}};
      note(fmt::format("seccomp_profile '{}': copy it to the kubelet's seccomp directory as '{}'",
                       run.seccomp_profile, file));
    }
    parts_.container["securityContext"] = security;
  }

  void add_unexpressed_run_keys() {
    const RunSettings& run = app_.run;
    if (run.init) unexpressed("init = true: no init process; use an image with one as its entrypoint");
    if (run.keep_changes)
      unexpressed("keep_changes = true: a container's own files are lost when it restarts; use a volume");
    if (!run.stop_signal.empty())
      unexpressed(fmt::format("stop_signal = '{}': Kubernetes sends the image's StopSignal", run.stop_signal));
    if (run.runtime != "runc")
      unexpressed(fmt::format("runtime = '{}': the cluster's runtimeClassName decides", run.runtime));
    if (!run.uid_map.empty() || !run.gid_map.empty())
      unexpressed("uid_map/gid_map: Kubernetes picks the ranges of a user namespace itself");
    for (const auto& limit : run.ulimits)
      unexpressed(fmt::format("ulimit {}: Kubernetes has no per-pod rlimits", limit.type));
    for (const auto& device : run.devices)
      unexpressed(fmt::format("device '{}': use a device plugin",
                              device.cdi_name.empty() ? device.host_path : device.cdi_name));
    for (const auto& credential : run.credentials)
      unexpressed(fmt::format("credential '{}' from '{}': put it in a Secret and mount it",
                              credential.name, credential.path));
    if (!std::holds_alternative<std::monostate>(app_.service.reload))
      unexpressed("[service] reload: Kubernetes has no reload; restart the pod");
  }

  const AppConfig& app_;
  const KubeImage& image_;
  KubeAppParts parts_;
};

}  // namespace

KubeAppParts kube_app_parts(const AppConfig& app, const KubeImage& image) {
  return ContainerBuilder(app, image).build();
}

}  // namespace ctapp
