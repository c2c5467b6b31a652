// SPDX-License-Identifier: LGPL-2.1-or-later
#include "devices/credential_mounts.h"

#include <sys/stat.h>

#include <fmt/format.h>

namespace ctapp {
namespace {

const std::vector<std::string> kReadOnlyBind = {"bind", "ro", "nosuid", "nodev", "noexec"};

}  // namespace

Result<ContainerEdits> credential_edits(const AppConfig& app,
                                        const std::string& credentials_directory) {
  ContainerEdits edits;
  std::vector<std::string> targets = {kContainerCredentialsDir};
  if (app.run.credentials_as_secrets) targets.push_back(kContainerSecretsDir);
  if (!credentials_directory.empty()) {
    struct stat st;
    if (::stat(credentials_directory.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
      return fail("app '{}': $CREDENTIALS_DIRECTORY '{}' is not a directory", app.name,
                  credentials_directory);
    for (const auto& target : targets)
      edits.mounts.push_back({credentials_directory, target, "bind", kReadOnlyBind});
  } else if (!app.run.credentials.empty()) {
    for (const auto& credential : app.run.credentials) {
      struct stat st;
      if (::stat(credential.path.c_str(), &st) < 0)
        return fail("app '{}': credential '{}': '{}': {}", app.name, credential.name,
                    credential.path, errno_text(errno));
      if (!S_ISREG(st.st_mode))
        return fail("app '{}': credential '{}': '{}' is not a regular file", app.name,
                    credential.name, credential.path);
      for (const auto& target : targets)
        edits.mounts.push_back(
            {credential.path, fmt::format("{}/{}", target, credential.name), "bind", kReadOnlyBind});
    }
  } else {
    return edits;
  }
  edits.env.push_back(fmt::format("CREDENTIALS_DIRECTORY={}", kContainerCredentialsDir));
  return edits;
}

}  // namespace ctapp
