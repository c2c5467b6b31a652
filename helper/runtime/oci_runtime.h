// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace ctapp {

// How `runc exec` runs a process, beyond the container's own settings: an
// empty field keeps what config.json says.
struct ExecSettings {
  std::string user;                          // "UID" or "UID:GID", numeric
  std::vector<std::string> additional_gids;  // numeric
  std::vector<std::string> env;              // "NAME=VALUE", added to the container's
  std::string cwd;                           // absolute path inside the container
  std::string pid_file;                      // where runc writes the process's host PID
};

// The runc command line (crun speaks the same), with ctapp's own state root
// so that ctapp's containers never mix with other tools' (`runc --root`).
class OciRuntime {
 public:
  // Fails with a clear message when the runtime binary is not installed.
  static Result<OciRuntime> find(const std::string& name, const std::filesystem::path& state_root);

  // `runc create --bundle B --pid-file P ID`; the container's init inherits
  // our stdio. Returns the container init's PID.
  Result<pid_t> create(const std::string& id, const std::filesystem::path& bundle) const;
  Status start(const std::string& id) const;
  // `runc run --detach --bundle B --pid-file P ID`: create and start in one
  // runtime process (one exec fewer on every start), for callers that need
  // nothing between the two. Returns the container init's PID.
  Result<pid_t> run_detached(const std::string& id, const std::filesystem::path& bundle) const;
  Status kill(const std::string& id, const std::string& signal) const;
  // Succeeds when the container does not exist (any more).
  Status delete_force(const std::string& id) const;
  // "created", "running", "stopped", or nothing if there is no such container.
  std::optional<std::string> state(const std::string& id) const;
  // The PID of the container's init, if it exists.
  std::optional<pid_t> init_pid(const std::string& id) const;
  // `runc exec [-t] ID ARGV...`, stdio inherited; returns the exit code.
  Result<int> exec(const std::string& id, const std::vector<std::string>& argv, bool tty,
                   bool quiet = false, const ExecSettings& settings = {}) const;
  // The argv of `runc exec ID ARGV...`, for callers that start it themselves.
  std::vector<std::string> exec_argv(const std::string& id, const std::vector<std::string>& argv,
                                     bool tty = false, const ExecSettings& settings = {}) const;
  // Container ids in the state root.
  std::vector<std::string> list() const;

  const std::string& binary() const { return binary_; }

 private:
  std::vector<std::string> base_args() const;
  std::optional<nlohmann::json> state_json(const std::string& id) const;
  // Runs `base_args() + verb_args + --bundle B --pid-file P ID` and reads P.
  Result<pid_t> start_with_pid_file(const std::vector<std::string>& verb_args, const std::string& id,
                                    const std::filesystem::path& bundle) const;

  std::string binary_;
  std::filesystem::path state_root_;
};

}  // namespace ctapp
