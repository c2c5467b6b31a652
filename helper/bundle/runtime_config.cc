// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bundle/runtime_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "bundle/seccomp_profile.h"
#include "bundle/user_lookup.h"
#include "core/atomic_file.h"
#include "core/run_keys.h"
#include "core/text_split.h"
#include "core/unique_fd.h"
#include "core/value_checks.h"
#include "json/json_reader.h"
#include "store/oci_layout.h"
#include "unpack/rootfs_paths.h"

namespace ctapp {
namespace {

using nlohmann::json;

// Docker's default capability set.
const std::vector<std::string> kDefaultCapabilities = {
    "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",  "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",     "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",   "CAP_AUDIT_WRITE"};

// As `runc spec` and Docker set them.
const std::vector<std::string> kMaskedPaths = {
    "/proc/acpi",        "/proc/asound",       "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/proc/scsi",        "/sys/firmware",      "/sys/devices/virtual/powercap"};
const std::vector<std::string> kReadonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq",
                                                 "/proc/sys", "/proc/sysrq-trigger"};

constexpr const char* kNotifyTarget = "/run/ctapp-notify";
// Below /run/ctapp-*, like the notify socket: no image ships files there.
constexpr const char* kInitTarget = "/run/ctapp-init";
constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::vector<std::string> strings_of(const json* object, const char* key) {
  std::vector<std::string> values;
  if (object && object->is_object() && object->contains(key) && (*object)[key].is_array())
    for (const auto& value : (*object)[key])
      if (value.is_string()) values.push_back(value.get<std::string>());
  return values;
}

std::string string_of(const json* object, const char* key) {
  if (object && object->is_object() && object->contains(key) && (*object)[key].is_string())
    return (*object)[key].get<std::string>();
  return {};
}

// KEY=VALUE entries; later ones replace earlier ones of the same KEY.
void set_env(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  auto prefix = key + "=";
  std::erase_if(env, [&](const std::string& entry) { return entry.starts_with(prefix); });
  env.push_back(prefix + value);
}

json default_mounts(const std::string& shm_size) {
  return json::array({
      {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
      {{"destination", "/dev"}, {"type", "tmpfs"}, {"source", "tmpfs"},
       {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
      {{"destination", "/dev/pts"}, {"type", "devpts"}, {"source", "devpts"},
       {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
      {{"destination", "/dev/shm"}, {"type", "tmpfs"}, {"source", "shm"},
       {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=" + shm_size}}},
      {{"destination", "/dev/mqueue"}, {"type", "mqueue"}, {"source", "mqueue"},
       {"options", {"nosuid", "noexec", "nodev"}}},
      {{"destination", "/sys"}, {"type", "sysfs"}, {"source", "sysfs"},
       {"options", {"nosuid", "noexec", "nodev", "ro"}}},
      {{"destination", "/sys/fs/cgroup"}, {"type", "cgroup"}, {"source", "cgroup"},
       {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}},
  });
}

json bind_mount(const std::string& source, const std::string& target, bool read_only) {
  json options = {"rbind", "nosuid", "nodev"};
  options.push_back(read_only ? "ro" : "rw");
  return {{"destination", target}, {"type", "bind"}, {"source", source}, {"options", options}};
}

// Owner and mode of `target` in the rootfs (root:root 0755 if it is not there).
void image_ownership(const std::filesystem::path& rootfs, const std::string& target, VolumeDir& volume) {
  UniqueFd root(::open(rootfs.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!root.valid()) return;
  int fd = open_in_root(root.get(), target.substr(1), O_PATH);
  if (fd < 0) return;
  UniqueFd owned(fd);
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    volume.uid = st.st_uid;
    volume.gid = st.st_gid;
    volume.mode = st.st_mode & 07777;
  }
}

std::vector<VolumeDir> collect_volumes(const BundleInputs& inputs) {
  const AppConfig& app = *inputs.app;
  std::vector<std::pair<std::string, std::string>> wanted;  // target, source
  // Targets the .ctapp already covers, in a set: an image may declare
  // 100,000s of volumes, and every check here must stay linear.
  std::set<std::string> taken;
  for (const auto& volume : app.volumes) {
    wanted.emplace_back(volume.target, volume.source);
    taken.insert(volume.target);
  }
  for (const auto& mount : app.mounts) taken.insert(mount.target);
  if (inputs.image_config && inputs.image_config->contains("Volumes") &&
      (*inputs.image_config)["Volumes"].is_object())
    for (const auto& [target, unused] : (*inputs.image_config)["Volumes"].items())
      if (check_absolute_path(target) && taken.insert(target).second) wanted.emplace_back(target, "");
  std::vector<VolumeDir> volumes;
  for (const auto& [target, source] : wanted) {
    VolumeDir volume;
    volume.target = target;
    volume.host = source.empty() ? inputs.data_dir / "volumes" / volume_dir_name(target)
                                 : std::filesystem::path(source);
    // The rootfs is already shifted: its owners are host ids.
    volume.uid = inputs.id_shift.offset;
    volume.gid = inputs.id_shift.offset;
    image_ownership(inputs.rootfs, target, volume);
    volume.in_app_data = source.empty();
    volumes.push_back(volume);
  }
  return volumes;
}

Result<std::vector<std::string>> build_env(const BundleInputs& inputs) {
  std::vector<std::string> env = strings_of(inputs.image_config, "Env");
  if (std::none_of(env.begin(), env.end(), [](auto& e) { return e.starts_with("PATH="); }))
    env.insert(env.begin(), kDefaultPath);
  for (const auto& file : inputs.app->run.env_files) {
    auto entries = read_env_file(file);
    if (!entries) return std::unexpected(entries.error());
    for (const auto& [key, value] : *entries) set_env(env, key, value);
  }
  for (const auto& [key, value] : inputs.app->run.env) set_env(env, key, value);
  if (inputs.app->service.notify == NotifyMode::kContainer)
    set_env(env, "NOTIFY_SOCKET", std::string(kNotifyTarget) + "/notify.sock");
  return env;
}

Result<std::vector<std::string>> build_args(const BundleInputs& inputs) {
  const RunSettings& run = inputs.app->run;
  std::vector<std::string> entrypoint = run.entrypoint ? *run.entrypoint
                                                       : strings_of(inputs.image_config, "Entrypoint");
  // As with Docker, a new entrypoint drops the image's Cmd.
  std::vector<std::string> cmd = run.command ? *run.command
                                 : run.entrypoint ? std::vector<std::string>()
                                                  : strings_of(inputs.image_config, "Cmd");
  entrypoint.insert(entrypoint.end(), cmd.begin(), cmd.end());
  if (entrypoint.empty())
    return fail("app '{}': the image has no Entrypoint or Cmd: set [run] command in '{}'",
                inputs.app->name, inputs.app->source_path.string());
  return entrypoint;
}

// As Docker's TweakCapabilities: "ALL" in cap_add is every capability but
// those dropped; "ALL" in cap_drop leaves only cap_add; otherwise the
// default set minus cap_drop, plus cap_add (an added name wins).
std::vector<std::string> effective_capabilities(const RunSettings& run) {
  auto contains = [](const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  std::vector<std::string> capabilities;
  if (contains(run.cap_add, "ALL")) {
    for (std::string_view name : all_capabilities())
      if (!contains(run.cap_drop, name)) capabilities.emplace_back(name);
    return capabilities;
  }
  if (!contains(run.cap_drop, "ALL"))
    for (const auto& name : kDefaultCapabilities)
      if (!contains(run.cap_drop, name)) capabilities.push_back(name);
  for (const auto& name : run.cap_add)
    if (!contains(capabilities, name)) capabilities.push_back(name);
  return capabilities;
}

json tmpfs_mount(const TmpfsMount& tmpfs) {
  json options = {"nosuid", "nodev", "mode=" + tmpfs.mode};
  if (!tmpfs.size.empty()) options.push_back("size=" + tmpfs.size);
  return {{"destination", tmpfs.target}, {"type", "tmpfs"}, {"source", "tmpfs"},
          {"options", options}};
}

json rlimits_of(const std::vector<Rlimit>& limits) {
  json list = json::array();
  for (const auto& limit : limits)
    list.push_back({{"type", limit.type}, {"soft", limit.soft}, {"hard", limit.hard}});
  return list;
}

// init = true: tini from the host is PID 1 and runs the app's argv.
Status add_init(const BundleInputs& inputs, std::vector<std::string>& args) {
  struct stat st;
  if (::stat(inputs.init_binary.c_str(), &st) < 0 || !S_ISREG(st.st_mode))
    return fail("app '{}' has [run] init = true, but '{}' is missing: install Debian's package "
                "'tini' (apt-get install tini), or remove init from '{}'",
                inputs.app->name, inputs.init_binary.string(), inputs.app->source_path.string());
  // -g: tini passes each signal to the app's whole process group, as
  // systemd's KillMode=control-group signals every process of a service: a
  // shell wrapper that runs the server without exec (and does not forward
  // SIGTERM itself) still stops at once.
  args.insert(args.begin(), {kInitTarget, "-g", "--"});
  return {};
}

json init_mount(const std::filesystem::path& init_binary) {
  return {{"destination", kInitTarget}, {"type", "bind"}, {"source", init_binary.string()},
          {"options", {"bind", "nosuid", "nodev", "ro"}}};
}

}  // namespace

std::string volume_dir_name(const std::string& target) {
  std::string name;
  for (char c : target.substr(target.find_first_not_of('/') == std::string::npos ? target.size()
                                                                                  : target.find_first_not_of('/')))
    name += c == '/' ? '-' : c;
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name.empty() ? "root" : name;
}

Result<std::vector<std::pair<std::string, std::string>>> read_env_file(const std::filesystem::path& path) {
  auto text = read_file(path, 1 << 20);
  if (!text) return fail("env_files: {}", text.error().message);
  std::vector<std::pair<std::string, std::string>> entries;
  int number = 0;
  for (std::string_view piece : split(*text, '\n')) {
    std::string line(piece);
    ++number;
    // config.json is JSON, whose strings are UTF-8: refuse here, naming the
    // line, rather than write a mangled value.
    if (!is_utf8(line))
      return fail("{}:{}: not UTF-8 text: save the env file as UTF-8", path.string(), number);
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#' || line[start] == ';') continue;
    line = line.substr(start);
    if (line.starts_with("export ")) line = line.substr(7);
    auto equals = line.find('=');
    std::string key = line.substr(0, equals);
    if (equals == std::string::npos || !check_env_name(key))
      return fail("{}:{}: expected KEY=VALUE", path.string(), number);
    std::string value = line.substr(equals + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    entries.emplace_back(key, value);
  }
  return entries;
}

Status prepare_volume_dirs(const std::vector<VolumeDir>& volumes, const IdShift& shift) {
  for (const auto& volume : volumes) {
    std::error_code error;
    struct stat st;
    if (::stat(volume.host.c_str(), &st) == 0) {
      bool in_range = st.st_uid >= shift.offset && st.st_uid < uint64_t{shift.offset} + shift.size;
      if (shift.active() && !in_range)
        return fail("volume '{}' is owned by uid {}, outside the app's id range {}-{}: give it to "
                    "the app with 'chown -R --from={}:{} {}:{} {}' or remove it",
                    volume.host.string(), st.st_uid, shift.offset, shift.offset + shift.size - 1,
                    st.st_uid, st.st_gid, volume.uid, volume.gid, volume.host.string());
      continue;
    }
    std::filesystem::create_directories(volume.host.parent_path(), error);
    if (error) return fail("create '{}': {}", volume.host.parent_path().string(), error.message());
    if (::mkdir(volume.host.c_str(), 0700) < 0 && errno != EEXIST)
      return fail("create volume '{}': {}", volume.host.string(), errno_text(errno));
    if (::chown(volume.host.c_str(), volume.uid, volume.gid) < 0 ||
        ::chmod(volume.host.c_str(), volume.in_app_data ? volume.mode : volume.mode & ~mode_t{S_IWOTH}) < 0)
      return fail("set the owner of volume '{}': {}", volume.host.string(), errno_text(errno));
  }
  return {};
}

Result<RuntimeBundle> build_runtime_config(const BundleInputs& inputs) {
  const AppConfig& app = *inputs.app;
  const json* image = inputs.image_config;
  RuntimeBundle bundle;

  auto args = build_args(inputs);
  if (!args) return std::unexpected(args.error());
  if (app.run.init)
    if (auto added = add_init(inputs, *args); !added) return std::unexpected(added.error());
  auto env = build_env(inputs);
  if (!env) return std::unexpected(env.error());
  std::string user_spec = !app.run.user.empty() ? app.run.user : string_of(image, "User");
  auto user = resolve_user(inputs.rootfs, user_spec.empty() ? "0" : user_spec);
  if (!user) return std::unexpected(wrap("app '" + app.name + "'", user.error()));
  std::string cwd = !app.run.workdir.empty() ? app.run.workdir : string_of(image, "WorkingDir");
  std::vector<std::string> capabilities = effective_capabilities(app.run);

  json process = {
      {"terminal", false},
      {"user", {{"uid", user->uid}, {"gid", user->gid}}},
      {"args", *args},
      {"env", *env},
      {"cwd", cwd.empty() ? "/" : cwd},
      {"capabilities",
       {{"bounding", capabilities},
        {"effective", capabilities},
        {"permitted", capabilities}}},
      {"noNewPrivileges", app.run.no_new_privileges},
  };
  if (!app.run.ulimits.empty()) process["rlimits"] = rlimits_of(app.run.ulimits);
  if (!user->additional_gids.empty()) process["user"]["additionalGids"] = user->additional_gids;

  json mounts = default_mounts(app.run.shm_size);
  if (!inputs.uid_map.empty() && (app.network.mode == NetworkMode::kHost || !inputs.netns.empty())) {
    // A user namespace may not mount sysfs for a network namespace it does
    // not own (the machine's, or one ctapp made for the bridge): bind the
    // machine's /sys read-only instead, as rootless Podman does.
    for (auto& mount : mounts)
      if (mount["destination"] == "/sys")
        mount = {{"destination", "/sys"}, {"type", "bind"}, {"source", "/sys"},
                 {"options", {"rbind", "nosuid", "noexec", "nodev", "ro"}}};
  }
  bundle.volumes = collect_volumes(inputs);
  std::set<std::string> read_only_targets;
  for (const auto& volume : app.volumes)
    if (volume.read_only) read_only_targets.insert(volume.target);
  for (const auto& volume : bundle.volumes)
    mounts.push_back(bind_mount(volume.host.string(), volume.target,
                                read_only_targets.contains(volume.target)));
  for (const auto& mount : app.mounts) mounts.push_back(bind_mount(mount.source, mount.target, mount.read_only));
  for (const auto& tmpfs : app.run.tmpfs) mounts.push_back(tmpfs_mount(tmpfs));
  // Only the socket's own directory, and read-only: connect() needs no
  // write access to the mount, and a container root must not be able to
  // fill the host's /run through it.
  if (app.service.notify == NotifyMode::kContainer)
    mounts.push_back(bind_mount(inputs.notify_dir.string(), kNotifyTarget, true));
  for (const auto& [source, target] : inputs.etc_files)
    mounts.push_back(bind_mount(source.string(), target, true));
  if (app.run.init) mounts.push_back(init_mount(inputs.init_binary));

  json namespaces = json::array({{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}},
                                 {{"type", "mount"}}, {{"type", "cgroup"}}});
  json mappings;
  if (!inputs.uid_map.empty()) {
    namespaces.push_back({{"type", "user"}});
    auto to_json = [](const std::vector<IdMapping>& map) {
      json list = json::array();
      for (const auto& m : map) list.push_back({{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
      return list;
    };
    mappings = {{"uidMappings", to_json(inputs.uid_map)}, {"gidMappings", to_json(inputs.gid_map)}};
  }
  if (!inputs.netns.empty())
    namespaces.push_back({{"type", "network"}, {"path", inputs.netns.string()}});
  else if (app.network.mode != NetworkMode::kHost)
    namespaces.push_back({{"type", "network"}});

  json linux = {
      {"namespaces", std::move(namespaces)},
      {"maskedPaths", kMaskedPaths},
      {"readonlyPaths", kReadonlyPaths},
      {"resources", {{"devices", json::array({{{"allow", false}, {"access", "rwm"}}})}}},
  };
  if (!inputs.cgroups_path.empty()) linux["cgroupsPath"] = inputs.cgroups_path;
  if (inputs.limits.memory_bytes) linux["resources"]["memory"] = {{"limit", *inputs.limits.memory_bytes}};
  if (inputs.limits.pids) linux["resources"]["pids"] = {{"limit", *inputs.limits.pids}};
  if (mappings.is_object()) linux.update(mappings);
  if (!app.run.sysctl.empty()) {
    json sysctl = json::object();
    for (const auto& [name, value] : app.run.sysctl) sysctl[name] = value;
    linux["sysctl"] = sysctl;
  }
  if (app.run.seccomp_profile != "unconfined") {
    std::filesystem::path profile_path = app.run.seccomp_profile.empty()
                                             ? inputs.seccomp_profile
                                             : std::filesystem::path(app.run.seccomp_profile);
    auto seccomp = load_seccomp_profile(profile_path, Platform::current().architecture,
                                        capabilities);
    if (!seccomp) return std::unexpected(seccomp.error());
    // Never a silent run without seccomp.
    if (!*seccomp)
      return fail("no seccomp profile for app '{}': '{}' does not exist{}; or set [run] "
                  "seccomp_profile = \"unconfined\" to run the app without one",
                  app.name, profile_path.string(),
                  app.run.seccomp_profile.empty()
                      ? " (install Debian's golang-github-containers-common, which ships it)"
                      : "");
    linux["seccomp"] = std::move(**seccomp);
  }

  // Only the image-spec's own annotation keys: runtimes act on others
  // (crun on run.oci.*), and an image must not configure its runtime.
  json annotations = json::object();
  if (image && image->contains("Labels") && (*image)["Labels"].is_object())
    for (const auto& [key, value] : (*image)["Labels"].items())
      if (value.is_string() && key.starts_with("org.opencontainers.image.")) annotations[key] = value;
  for (const auto& [key, value] : app.run.annotations) annotations[key] = value;
  annotations["org.ctapp.app"] = app.name;

  bundle.config = {
      {"ociVersion", "1.0.2"},
      {"process", std::move(process)},
      {"root", {{"path", inputs.root_path.string()}, {"readonly", app.run.read_only}}},
      {"hostname", !inputs.hostname.empty()     ? inputs.hostname
                   : app.run.hostname.empty() ? app.name
                                              : app.run.hostname},
      {"mounts", std::move(mounts)},
      {"linux", std::move(linux)},
      {"annotations", std::move(annotations)},
  };
  bundle.stop_signal = !app.run.stop_signal.empty() ? app.run.stop_signal : string_of(image, "StopSignal");
  if (bundle.stop_signal.empty()) bundle.stop_signal = "SIGTERM";
  return bundle;
}

}  // namespace ctapp
