// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <filesystem>
#include <string>

#include "core/result.h"
#include "core/unique_fd.h"

namespace ctapp {

// The sd_notify socket offered to a container that speaks the protocol
// itself (notify = "container"). Everything it sends is passed on to systemd
// (READY, STATUS, WATCHDOG, EXTEND_TIMEOUT_USEC, RELOADING, STOPPING, ...)
// except MAINPID=, which names a PID of the container's namespace: the
// supervisor is and stays the unit's main process. runc and conmon forward
// only part of this.
class NotifyRelay {
 public:
  // Binds a datagram socket at `socket_path` that any user in the container
  // may write to.
  static Result<NotifyRelay> bind(const std::filesystem::path& socket_path);

  int fd() const { return socket_.get(); }

  // Reads one pending message and forwards it; returns the text forwarded
  // (empty when nothing was), for the caller to notice READY=1.
  std::string relay_one();

 private:
  UniqueFd socket_;
};

// Lines of a notify message that may go to systemd: drops MAINPID= and any
// line that is not NAME=value.
std::string filter_notify_message(std::string_view message);

// sd_notify() to the unit's socket, if there is one. Never fails the caller.
void notify_systemd(const std::string& message);

}  // namespace ctapp
