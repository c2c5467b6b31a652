// SPDX-License-Identifier: LGPL-2.1-or-later
// ctapp-supervise against real runc (as root): readiness per notify mode,
// the sd_notify relay, exit statuses and signal forwarding. The bundle is a
// busybox root made from Debian's busybox-static; `systemd` is a datagram
// socket this test reads, given to the supervisor as NOTIFY_SOCKET.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/test_temp_dir.h"
#include "core/unique_fd.h"
#include "process/process.h"

namespace ctapp {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

const char* env_or_die(const char* name) {
  const char* value = std::getenv(name);
  if (!value) {
    std::fprintf(stderr, "%s is not set (run through meson test)\n", name);
    std::abort();
  }
  return value;
}

uint16_t free_tcp_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

bool tcp_connects(uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

class SuperviseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    id_ = "ctapp-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    make_rootfs();
    fs::create_directories(control_);
    fs::create_directories(notify_dir_);
    bind_systemd_socket();
  }

  void TearDown() override {
    if (supervisor_ > 0) {
      ::kill(supervisor_, SIGKILL);
      ::waitpid(supervisor_, nullptr, 0);
    }
    run_process({"runc", "--root", state_root_.string(), "delete", "--force", id_},
                {.quiet_stderr = true});
  }

  void make_rootfs() {
    for (auto dir : {"bin", "etc", "tmp", "proc", "sys", "dev", "control", "run/notify"})
      fs::create_directories(rootfs_ / dir);
    fs::copy_file("/bin/busybox", rootfs_ / "bin/busybox");
    for (auto applet : {"sh", "sleep", "echo", "cat", "httpd", "test", "["})
      fs::create_symlink("busybox", rootfs_ / "bin" / applet);
    fs::copy_file(env_or_die("CTAPP_NOTIFY_SENDER"), rootfs_ / "bin/notify-sender");
    write_file_atomic(rootfs_ / "etc/passwd", "root:x:0:0:root:/:/bin/sh\n");
  }

  void bind_systemd_socket() {
    systemd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::string path = (dir_.path() / "systemd.sock").string();
    std::strcpy(address.sun_path, path.c_str());
    ASSERT_EQ(::bind(systemd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  }

  // A bundle as `runc spec` makes it, with our root and command, on the
  // host's network, with /control and the notify directory bind-mounted.
  void write_bundle(const std::vector<std::string>& args) {
    fs::create_directories(bundle_);
    ASSERT_EQ(run_process({"runc", "spec", "--bundle", bundle_.string()})->exit_code, 0);
    auto config = nlohmann::json::parse(*read_file(bundle_ / "config.json"));
    config["process"]["terminal"] = false;
    config["process"]["args"] = args;
    config["process"]["env"] = {"PATH=/bin", "NOTIFY_SOCKET=/run/notify/notify.sock"};
    config["root"] = {{"path", rootfs_.string()}, {"readonly", true}};
    auto& namespaces = config["linux"]["namespaces"];
    for (auto it = namespaces.begin(); it != namespaces.end();)
      it = (*it)["type"] == "network" ? namespaces.erase(it) : it + 1;
    // The notify directory read-only, as ctapp binds it.
    for (auto [source, target, mode] : {std::tuple{control_, "/control", "rw"},
                                        std::tuple{notify_dir_, "/run/notify", "ro"}})
      config["mounts"].push_back({{"destination", target}, {"type", "bind"},
                                  {"source", source.string()}, {"options", {"rbind", mode}}});
    config["mounts"].push_back({{"destination", "/tmp"}, {"type", "tmpfs"}, {"source", "tmpfs"},
                                {"options", {"nosuid", "nodev"}}});
    ASSERT_TRUE(write_file_atomic(bundle_ / "config.json", config.dump(2)));
  }

  void start(const std::vector<std::string>& args, const std::vector<std::string>& options,
             std::vector<std::string> env = {}) {
    write_bundle(args);
    std::vector<std::string> argv = {env_or_die("CTAPP_SUPERVISE"), "--id", id_, "--bundle",
                                     bundle_.string(), "--state-root", state_root_.string(),
                                     "--notify-socket", (notify_dir_ / "notify.sock").string()};
    argv.insert(argv.end(), options.begin(), options.end());
    env.push_back("NOTIFY_SOCKET=" + (dir_.path() / "systemd.sock").string());
    auto pid = spawn_process(argv, {.env_changes = env});
    ASSERT_TRUE(pid) << pid.error().message;
    supervisor_ = *pid;
  }

  // The next message to "systemd", or nothing within `timeout`.
  std::optional<std::string> next_message(std::chrono::milliseconds timeout) {
    pollfd fd{systemd_.get(), POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buffer[4096];
    ssize_t n = ::recv(systemd_.get(), buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(n));
  }

  // Every message up to and including the first containing `needle`.
  std::string messages_until(const std::string& needle, std::chrono::milliseconds timeout) {
    std::string all;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto message = next_message(left);
      if (!message) break;
      all += *message;
      if (message->find(needle) != std::string::npos) break;
    }
    return all;
  }

  // The supervisor's exit status, waiting on a pidfd: no polling loop.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, supervisor_, 0)));
    pollfd fd{pidfd.get(), POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    int status = 0;
    ::waitpid(supervisor_, &status, 0);
    supervisor_ = 0;
    return exit_code_of(status);
  }

  bool wait_for_file(const fs::path& path, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!fs::exists(path)) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      ::usleep(20000);
    }
    return true;
  }

  TestTempDir dir_;
  fs::path rootfs_ = dir_.path() / "rootfs";
  fs::path bundle_ = dir_.path() / "bundle";
  fs::path state_root_ = dir_.path() / "runc";
  fs::path control_ = dir_.path() / "control";
  fs::path notify_dir_ = dir_.path() / "notify";
  std::string id_;
  UniqueFd systemd_;
  pid_t supervisor_ = 0;
};

TEST_F(SuperviseTest, StartedModeSendsReadyOnceTheContainerRuns) {
  start({"sh", "-c", "echo ran > /control/ran; exec sleep 30"},
        {"--notify", "started", "--kill-after-ms", "300"});
  EXPECT_THAT(messages_until("READY=1", 10s), HasSubstr("READY=1\n"));
  EXPECT_TRUE(wait_for_file(control_ / "ran", 10s));
  ::kill(supervisor_, SIGTERM);
  EXPECT_THAT(messages_until("STOPPING=1", 5s), HasSubstr("STOPPING=1"));
  // sleep as PID 1 ignores SIGTERM: the supervisor escalates to SIGKILL, and
  // a stop we asked for is a clean exit.
  EXPECT_EQ(wait_exit(10s), 0);
}

TEST_F(SuperviseTest, HealthyModeSendsReadyOnlyOnceThePortAnswers) {
  uint16_t port = free_tcp_port();
  start({"sh", "-c",
         "while [ ! -e /control/go ]; do sleep 0.05; done; exec httpd -f -p 127.0.0.1:" +
             std::to_string(port) + " -h /"},
        {"--notify", "healthy", "--probe-tcp", std::to_string(port), "--kill-after-ms", "300"});
  // While the app waits for /control/go its port is closed: no READY.
  std::string before = messages_until("READY=1", 1500ms);
  EXPECT_THAT(before, Not(HasSubstr("READY=1")));
  EXPECT_THAT(before, HasSubstr("STATUS=Waiting for tcp:" + std::to_string(port)));
  ASSERT_TRUE(write_file_atomic(control_ / "go", ""));
  EXPECT_THAT(messages_until("READY=1", 10s), HasSubstr("READY=1\n"));
  EXPECT_TRUE(tcp_connects(port));
  ::kill(supervisor_, SIGTERM);
  EXPECT_EQ(wait_exit(10s), 0);
}

TEST_F(SuperviseTest, HealthyModeGivesUpAfterTheReadyTimeout) {
  start({"sleep", "30"}, {"--notify", "healthy", "--probe-tcp", std::to_string(free_tcp_port()),
                          "--ready-timeout-ms", "1000"});
  EXPECT_EQ(wait_exit(15s), 1);
  std::string messages;
  while (auto message = next_message(0ms)) messages += *message;
  EXPECT_THAT(messages, Not(HasSubstr("READY=1")));
}

TEST_F(SuperviseTest, ContainerModeRelaysTheProtocolButNeverMainpid) {
  start({"sh", "-c",
         "notify-sender 'STATUS=warming up\\nMAINPID=1\\nEXTEND_TIMEOUT_USEC=5000000'; "
         "notify-sender 'READY=1\\nSTATUS=serving'; exec sleep 30"},
        {"--notify", "container", "--kill-after-ms", "300"});
  std::string messages = messages_until("READY=1", 10s);
  EXPECT_THAT(messages, HasSubstr("STATUS=warming up\nEXTEND_TIMEOUT_USEC=5000000\n"));
  EXPECT_THAT(messages, HasSubstr("READY=1\nSTATUS=serving\n"));
  EXPECT_THAT(messages, Not(HasSubstr("MAINPID")));
  ::kill(supervisor_, SIGTERM);
  EXPECT_EQ(wait_exit(10s), 0);
}

TEST_F(SuperviseTest, ContainerModeRelaysOnlyTheContainersOwnMessages) {
  start({"sh", "-c",
         "echo up > /control/up; while [ ! -e /control/go ]; do sleep 0.05; done; "
         "notify-sender 'READY=1\\nSTATUS=serving'; exec sleep 30"},
        {"--notify", "container", "--kill-after-ms", "300"});
  ASSERT_TRUE(wait_for_file(control_ / "up", 10s));
  // The socket is reachable by everyone here, so that only the relay's own
  // check stands between these senders and systemd.
  fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::others_exec | fs::perms::group_exec);
  fs::permissions(notify_dir_, fs::perms::owner_all | fs::perms::others_exec | fs::perms::group_exec);
  std::string sender = env_or_die("CTAPP_NOTIFY_SENDER");
  std::string socket = "NOTIFY_SOCKET=" + (notify_dir_ / "notify.sock").string();
  auto as_root = run_process({sender, "STATUS=forged by root\\nREADY=1"}, {.env_changes = {socket}});
  ASSERT_TRUE(as_root);
  EXPECT_EQ(as_root->exit_code, 0) << "the relay answers even a refused sender's barrier";
  auto as_nobody = run_process({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sender,
                                "STATUS=forged by nobody\\nWATCHDOG=1"},
                               {.env_changes = {socket}});
  ASSERT_TRUE(as_nobody);
  EXPECT_EQ(as_nobody->exit_code, 0);
  ASSERT_TRUE(write_file_atomic(control_ / "go", ""));
  std::string messages = messages_until("READY=1", 10s);
  EXPECT_EQ(messages, "READY=1\nSTATUS=serving\n");
  ::kill(supervisor_, SIGTERM);
  EXPECT_EQ(wait_exit(10s), 0);
}

TEST_F(SuperviseTest, ContainerModeRelaysTheAllowedFieldsOnly) {
  start({"sh", "-c",
         "notify-sender --pass-fd 'MAINPID=1\\nFDSTORE=1\\nFDNAME=db\\nFDSTOREREMOVE=1\\nFDPOLL=0\\n"
         "NOTIFYACCESS=all\\nWATCHDOG=trigger\\nEXIT_STATUS=3\\nREADY=yes\\nERRNO=x1\\n"
         "X_OTHER=1\\nSTATUS=kept'; echo $? > /control/passed-fd; "
         "notify-sender 'WATCHDOG=1\\nRELOADING=1\\nMONOTONIC_USEC=123\\nSTOPPING=1\\nERRNO=5\\n"
         "BUSERROR=org.example.Error\\nEXTEND_TIMEOUT_USEC=100\\nWATCHDOG_USEC=200\\nREADY=1'; "
         "exec sleep 30"},
        {"--notify", "container", "--kill-after-ms", "300"});
  std::string messages = messages_until("READY=1", 10s);
  EXPECT_EQ(messages,
            "STATUS=kept\n"
            "WATCHDOG=1\nRELOADING=1\nMONOTONIC_USEC=123\nSTOPPING=1\nERRNO=5\n"
            "BUSERROR=org.example.Error\nEXTEND_TIMEOUT_USEC=100\nWATCHDOG_USEC=200\nREADY=1\n");
  ASSERT_TRUE(wait_for_file(control_ / "passed-fd", 10s));
  EXPECT_EQ(read_file(control_ / "passed-fd").value_or(""), "0\n") << "the passed fd was not closed";
  ::kill(supervisor_, SIGTERM);
  EXPECT_EQ(wait_exit(10s), 0);
}

// WatchdogSec= on the unit: the app sees WATCHDOG_USEC (as
// sd_watchdog_enabled() reads it) and its pings reach systemd.
TEST_F(SuperviseTest, ContainerModePassesTheWatchdogAndRelaysItsPings) {
  start({"sh", "-c",
         "notify-sender \"READY=1\\nSTATUS=usec=$WATCHDOG_USEC pid=${WATCHDOG_PID:-none}\"; "
         "notify-sender WATCHDOG=1; exec sleep 30"},
        {"--notify", "container", "--kill-after-ms", "300"}, {"WATCHDOG_USEC=3000000"});
  std::string messages = messages_until("WATCHDOG=1", 10s);
  EXPECT_THAT(messages, HasSubstr("STATUS=usec=3000000 pid=none\n"));
  EXPECT_THAT(messages, HasSubstr("WATCHDOG=1\n"));
  ::kill(supervisor_, SIGTERM);
  EXPECT_EQ(wait_exit(10s), 0);
}

TEST_F(SuperviseTest, ExitStatusOfTheContainerIsTheSupervisors) {
  start({"sh", "-c", "exit 7"}, {"--notify", "started"});
  EXPECT_EQ(wait_exit(10s), 7);
}

TEST_F(SuperviseTest, SigtermBecomesTheAppsStopSignal) {
  start({"sh", "-c",
         "trap 'echo usr1 > /control/got; exit 0' USR1; echo up > /control/up; "
         "while true; do sleep 0.05; done"},
        {"--notify", "started", "--stop-signal", std::to_string(SIGUSR1)});
  ASSERT_TRUE(wait_for_file(control_ / "up", 10s));
  ::kill(supervisor_, SIGTERM);
  EXPECT_EQ(wait_exit(10s), 0);
  EXPECT_EQ(read_file(control_ / "got").value_or(""), "usr1\n");
}

TEST_F(SuperviseTest, SighupIsForwardedAndTheAppKeepsRunning) {
  start({"sh", "-c",
         "trap 'echo hup >> /control/hups' HUP; trap 'exit 0' TERM; echo up > /control/up; "
         "while true; do sleep 0.05; done"},
        {"--notify", "started"});
  ASSERT_TRUE(wait_for_file(control_ / "up", 10s));
  ::kill(supervisor_, SIGHUP);
  ASSERT_TRUE(wait_for_file(control_ / "hups", 10s));
  EXPECT_EQ(wait_exit(300ms), std::nullopt);  // still running
  ::kill(supervisor_, SIGTERM);
  EXPECT_EQ(wait_exit(10s), 0);
  EXPECT_EQ(read_file(control_ / "hups").value_or(""), "hup\n");
}

TEST_F(SuperviseTest, AMissingRuntimeIsAClearError) {
  write_bundle({"true"});
  auto result = run_process({env_or_die("CTAPP_SUPERVISE"), "--id", id_, "--bundle",
                             bundle_.string(), "--state-root", state_root_.string(), "--runtime",
                             "no-such-runtime"});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->exit_code, 1);
}

}  // namespace
}  // namespace ctapp
