// SPDX-License-Identifier: LGPL-2.1-or-later
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "core/result.h"
#include "core/unique_fd.h"

namespace ctapp {

// The sd_notify socket offered to a container that speaks the protocol
// itself (notify = "container"). Only datagrams from the container's own
// processes are accepted: the sender's PID (SCM_CREDENTIALS) must live in the
// pid namespace of the container's init. (Not its cgroup: without systemd, as
// with `ctapp run --foreground`, the container has no cgroup of ctapp's
// choosing, while every container has its own pid namespace.) Of what they
// send, only the fields of kRelayedNotifyFields reach systemd; passed file
// descriptors are closed unread. The check needs the sender alive (or not
// yet reaped) when the datagram is read: sd_notify_barrier() and
// systemd-notify wait for that by themselves.
class NotifyRelay {
 public:
  // Binds a datagram socket at `socket_path`, writable by every user (the app
  // may run as any user in the container; the directories above decide who
  // on the host reaches it). Creates the directory (0700) if it is missing.
  static Result<NotifyRelay> bind(const std::filesystem::path& socket_path);

  // From now on, accept senders in the pid namespace of `init_pid` (the
  // container's init); until then nothing is accepted.
  Status accept_from_container(pid_t init_pid);

  int fd() const { return socket_.get(); }

  // Reads one pending message and forwards what it may; returns the text
  // forwarded (empty when nothing was), for the caller to notice READY=1.
  std::string relay_one();

  // While set, the app's own WATCHDOG=1 pings are dropped (it is unhealthy:
  // systemd's watchdog must see the pings stop).
  void set_drop_watchdog(bool drop) { drop_watchdog_ = drop; }

 private:
  bool sent_by_container(pid_t sender) const;

  UniqueFd socket_;
  dev_t pidns_dev_ = 0;
  ino_t pidns_ino_ = 0;
  bool drop_watchdog_ = false;
};

// The lines of a notify message that may go to systemd, each "NAME=value\n":
// READY=1, RELOADING=1, STOPPING=1, WATCHDOG=1, STATUS=text, BUSERROR=text,
// ERRNO=, EXTEND_TIMEOUT_USEC=, WATCHDOG_USEC=, MONOTONIC_USEC= (decimal
// numbers). Everything else is dropped, notably MAINPID (a PID of the
// container's namespace; the supervisor stays the main process), FDSTORE,
// FDSTOREREMOVE, FDNAME, FDPOLL (no fds are relayed), NOTIFYACCESS (would
// widen who may notify), BARRIER (answered here, by closing its fd),
// WATCHDOG=trigger and EXIT_STATUS.
std::string filter_notify_message(std::string_view message);

// sd_notify() to the unit's socket, if there is one. Never fails the caller.
void notify_systemd(const std::string& message);

}  // namespace ctapp
