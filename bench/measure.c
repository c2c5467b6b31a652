// SPDX-License-Identifier: LGPL-2.1-or-later
// measure COMMAND...: runs COMMAND with stdout and stderr on /dev/null and
// prints "MS KB CPU_MS": wall time in milliseconds from CLOCK_MONOTONIC, the
// peak RSS in KB of the command and of the processes it waited for, and
// their CPU time (user + system) in milliseconds. bench/lib.sh compiles it:
// a small C parent keeps the RSS floor low (a child inherits the peak RSS
// of the process it was forked from until it calls exec), and the clock
// starts after the parent's own start-up.
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

static double ms_of(struct timeval tv) { return tv.tv_sec * 1e3 + tv.tv_usec / 1e3; }

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: measure COMMAND...\n");
    return 2;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid_t pid;
  if (posix_spawnp(&pid, argv[1], &actions, NULL, argv + 1, environ) != 0) {
    perror(argv[1]);
    return 2;
  }
  int status;
  struct rusage usage;
  if (wait4(pid, &status, 0, &usage) < 0) {
    perror("wait4");
    return 2;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  int failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  if (failed) fprintf(stderr, "measure: %s failed (wait status %d)\n", argv[1], status);
  double wall = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
  printf("%.1f %ld %.1f\n", wall, usage.ru_maxrss, ms_of(usage.ru_utime) + ms_of(usage.ru_stime));
  return failed;
}
