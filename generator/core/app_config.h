// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace ctapp {

// The validated contents of one NAME.ctapp file (see man/ctapp.ctapp.5).
// Every value here has passed validation: paths are absolute, names are legal,
// and no string contains a control character.

// kApp: the network namespace of another app (NetworkSettings::app), a sidecar.
enum class NetworkMode { kHost, kNone, kBridge, kApp };
enum class NotifyMode { kStarted, kContainer, kHealthy };
enum class UserNamespaceMode { kHost, kAuto };
enum class Protocol { kTcp, kUdp };
// When prepare asks the registry for the image (top-level `pull`).
enum class PullPolicy { kMissing, kNewer, kAlways, kNever };

struct Volume {
  std::string target;            // absolute path inside the container
  std::string source;            // absolute host path; empty: ROOT/var/lib/ctapp/apps/NAME/...
  bool read_only = false;
};

struct BindMount {
  std::string source;            // absolute host path
  std::string target;            // absolute path inside the container
  bool read_only = false;
};

struct PublishedPort {
  std::string host_ip;           // empty: all addresses
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  Protocol protocol = Protocol::kTcp;
};

struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct TcpProbe {
  uint16_t port = 0;
};
struct ExecProbe {
  std::vector<std::string> argv;
};
using ReadyProbe = std::variant<std::monostate, TcpProbe, ExecProbe>;

// What `systemctl reload ctapp@NAME` does: a signal to the container's init,
// or a command run in the container.
struct ReloadSignal {
  std::string signal;              // validated, e.g. "SIGHUP"
};
struct ReloadCommand {
  std::vector<std::string> argv;
};
using ReloadAction = std::variant<std::monostate, ReloadSignal, ReloadCommand>;
// One process.rlimits entry of the runtime-spec.
struct Rlimit {
  std::string type;                // "RLIMIT_NOFILE"
  uint64_t soft = 0;
  uint64_t hard = 0;               // UINT64_MAX: unlimited
};

struct TmpfsMount {
  std::string target;              // absolute path inside the container
  std::string size;                // the kernel's size= option ("64M"); empty: its default
  std::string mode = "1777";       // octal
};

// One [run] devices entry: a host device node ("/dev/sdc:/dev/xvdc:rwm", in
// Podman's syntax) or a Container Device Interface name
// ("vendor.com/class=name"), resolved by the helper at start.
struct DeviceRequest {
  std::string host_path;           // absolute; empty for a CDI name
  std::string container_path;      // absolute; empty: the host path
  std::string permissions = "rwm"; // device cgroup access: some of r, w, m
  std::string cdi_name;            // "vendor.com/class=name"; empty for a host path
};

// One [run] credentials entry, "NAME:PATH": rendered to LoadCredential=, so
// systemd reads PATH at start and the app sees it as NAME.
struct CredentialSource {
  std::string name;                // a file name: no '/', not "." or ".."
  std::string path;                // absolute host path
};

struct RunSettings {
  std::optional<std::vector<std::string>> command;     // replaces the image's Cmd
  std::optional<std::vector<std::string>> entrypoint;  // replaces the image's Entrypoint
  std::vector<std::pair<std::string, std::string>> env;  // sorted by name
  std::vector<std::string> env_files;                  // read by the helper at start
  std::string user;                                    // "name", "uid", "uid:gid"; empty: image's
  std::string workdir;
  std::string hostname;
  bool read_only = false;
  bool keep_changes = false;       // keep the overlay's upper layer across restarts
  std::vector<TmpfsMount> tmpfs;
  std::string shm_size = "64M";    // the /dev/shm tmpfs
  std::string stop_signal;         // e.g. "SIGTERM"; empty: image's StopSignal
  std::string runtime = "runc";    // runc | crun
  std::string seccomp_profile;     // absolute path, "unconfined"; empty: containers-common's
  UserNamespaceMode user_namespace = UserNamespaceMode::kHost;
  std::vector<IdMapping> uid_map;  // explicit mappings; imply a user namespace
  std::vector<IdMapping> gid_map;
  bool init = false;               // tini as PID 1, the app's argv after "--"
  bool no_new_privileges = true;
  std::vector<std::string> cap_add;   // "CAP_NET_ADMIN" or "ALL"
  std::vector<std::string> cap_drop;
  std::vector<std::pair<std::string, std::string>> sysctl;       // name, value; sorted by name
  std::vector<Rlimit> ulimits;                                   // sorted by type
  std::vector<std::pair<std::string, std::string>> annotations;  // sorted by key
  std::vector<DeviceRequest> devices;
  std::vector<CredentialSource> credentials;
  bool credentials_as_secrets = false;  // also at /run/secrets/NAME
};

struct NetworkSettings {
  NetworkMode mode = NetworkMode::kHost;
  std::string network;             // CNI network (conflist) name for bridge mode
  std::vector<PublishedPort> publish;
  std::string app;                 // mode "app:OTHER": OTHER, a valid app name
};

struct ServiceSettings {
  std::string description;
  NotifyMode notify = NotifyMode::kStarted;
  ReadyProbe ready;
  ReloadAction reload;             // monostate: the unit has no ExecReload=
  std::string ready_timeout;       // systemd time span, validated
  std::string restart;             // systemd Restart= value; empty: template default
  std::string restart_sec;
  std::string start_timeout;       // TimeoutStartSec=
  std::string pull_timeout;        // the longest a pull at start may take; empty: 30min
  std::string stop_timeout;        // TimeoutStopSec=
  std::vector<std::string> wanted_by;  // unit names, e.g. multi-user.target
  std::vector<std::string> after;      // other app names
  std::vector<std::string> requires_apps;
  bool auto_update = false;        // ctapp-update.timer updates and restarts it
};

struct ResourceSettings {
  std::string memory_max;          // systemd size, validated (e.g. 512M)
  std::string memory_high;
  std::string cpu_quota;           // e.g. 150%
  std::optional<uint32_t> cpu_weight;
  std::string tasks_max;           // number or "infinity"
  std::string allowed_cpus;        // CPU list, validated (e.g. "0-1,3")
  std::optional<uint32_t> io_weight;
  std::string memory_swap_max;     // systemd size, validated
};

// What the supervisor does when an app turns unhealthy.
enum class HealthOnFailure { kNone, kKill, kRestart };

// [health]: a check the supervisor runs while the app runs (see
// ctapp.ctapp(5)); absent when `check` holds std::monostate.
struct HealthSettings {
  ReadyProbe check;                          // tcp:PORT or a command run in the container
  std::chrono::milliseconds interval{30000};
  std::chrono::milliseconds timeout{30000};
  uint32_t retries = 3;                      // consecutive failures before unhealthy
  std::chrono::milliseconds start_period{0};  // failures inside it do not count
  HealthOnFailure on_failure = HealthOnFailure::kNone;
};

// Raw systemd settings: section -> ordered (key, value) pairs, written as given.
struct Passthrough {
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> sections;
};

struct AppConfig {
  std::string name;                // from the file name, validated as a unit instance
  std::filesystem::path source_path;  // the .ctapp file it came from
  std::string image;               // image reference as written; empty if rootfs is set
  std::string rootfs;              // absolute path of a ready root; empty if image is set
  std::string platform;            // "os/arch[/variant]" to pull; empty: the machine's
  PullPolicy pull = PullPolicy::kMissing;  // `pull`, next to image
  RunSettings run;
  std::vector<Volume> volumes;
  std::vector<BindMount> mounts;
  NetworkSettings network;
  ServiceSettings service;
  ResourceSettings resources;
  Passthrough systemd;
  HealthSettings health;
};

}  // namespace ctapp
