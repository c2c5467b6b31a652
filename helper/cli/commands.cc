// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cli/commands.h"

#include "cli/check_command.h"
#include "cli/exec_command.h"
#include "cli/gc_command.h"
#include "cli/kube_command.h"
#include "cli/lifecycle_commands.h"
#include "cli/list_command.h"
#include "cli/preload.h"
#include "cli/pull_command.h"
#include "cli/update_commands.h"

namespace ctapp {

std::span<const Command> all_commands() {
  static const Command kCommands[] = {
      {"prepare", "NAME", "get the image, unpack it, mount the overlay (the unit's ExecStartPre)",
       run_prepare_command},
      {"run", "NAME | run --foreground NAME|FILE.ctapp", "run a prepared app until it ends (the unit's ExecStart)", run_run_command},
      {"cleanup", "NAME", "remove an app's container, overlay and runtime state", run_cleanup_command},
      {"exec", "[-u USER] [-e NAME=VALUE]... [-w DIR] NAME COMMAND [ARGS...]",
       "run a command inside a running app (as USER, with more environment, in DIR)",
       run_exec_command},
      {"reload", "NAME", "reload a running app as its [service] reload says (the unit's ExecReload)",
       run_reload_command},
      {"pull", "[--platform=OS/ARCH[/VARIANT]] [--tls-verify=false] REF", "copy an image from a registry (or oci: layout) into the store", run_pull_command},
      {"images", "[--json]", "list the images in the store and the apps using them (--json)", run_images_command},
      {"list", "[--json] [--check]", "list apps with state, version and pid (--json; --check asks the registry for newer images)", run_list_command},
      {"ps", "[--json] [--check]", "the same as list", run_list_command},
      {"status", "NAME [--json] [--check]", "show one app in detail (--json; --check asks the registry for a newer image)", run_status_command},
      {"update", "[--restart] [--dry-run] NAME... | --all | --auto", "pull a newer image of a tag and make it the next start's version (--restart: now, rolling back if it fails)", run_update_command},
      {"rollback", "NAME", "make the previous kept version the next start's version (no network)", run_rollback_command},
      {"gc", "[--dry-run] [--keep N] [--volumes]", "remove versions beyond the kept ones, what removed apps left, and unreferenced blobs", run_gc_command},
      {"check", "FILE.ctapp...", "validate .ctapp files and print every error", run_check_command},
      {"preload", "[--authfile FILE] --all | NAME...",
       "pull and unpack apps into an image root (--root) so they start offline; no mounts", run_preload_command},
      {"kube", "generate [--deployment] NAME...|FILE.ctapp...",
       "print Kubernetes YAML (a Pod or Deployment per app, claims) for apps, from their .ctapp", run_kube_command},
  };
  return kCommands;
}

}  // namespace ctapp
