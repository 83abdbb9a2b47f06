// `hyperion run` under a service manager: with $NOTIFY_SOCKET pointing at a
// socket this test owns (as systemd does for Type=notify), the host says
// READY=1 once every instance started, RELOADING=1 then READY=1 around a
// SIGHUP reload, STOPPING=1 on SIGTERM, and pings WATCHDOG=1 at half of
// $WATCHDOG_USEC. A path and an abstract socket name both work.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>

#include "support/test_support.h"

namespace hyperion {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The service manager's end: a datagram socket that collects notifications.
class NotifySocket {
 public:
  // `name`: a path, or "@name" for the abstract namespace.
  explicit NotifySocket(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name_.data(), name_.size());
    socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    if (name_[0] == '@') address.sun_path[0] = '\0';
    bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), length) == 0;
  }
  ~NotifySocket() { ::close(fd_); }
  [[nodiscard]] bool bound() const { return bound_; }
  // The next datagram, or nothing within `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buffer[4096];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(n));
  }
  // The next datagram that is not a watchdog ping.
  std::optional<std::string> next_state(std::chrono::milliseconds timeout) {
    const auto end = Clock::now() + timeout;
    while (Clock::now() < end) {
      auto m = receive(std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()));
      if (m && *m != "WATCHDOG=1") return m;
    }
    return std::nullopt;
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
};

std::string manifest(const testing::TempDir& dir) {
  return dir.write("app.yaml", "app: notify-test\nhost:\n  state_dir: " + dir.path() +
                                   "/state\n  admin: {enabled: false}\n  reload: {watch: false}\n"
                                   "plugins:\n  - name: hello\n    library: hello\n");
}

testing::ChildProcess run_host(const testing::TempDir& dir, const std::string& socket, const std::string& watchdog) {
  // env(1) execs the host in its own process: the pid systemd would watch.
  std::vector<std::string> argv{"/usr/bin/env", "NOTIFY_SOCKET=" + socket};
  if (!watchdog.empty()) argv.push_back("WATCHDOG_USEC=" + watchdog);
  for (std::string a : {testing::hyperion_binary(), std::string("run"), manifest(dir), std::string("--plugin-path"),
                        testing::example_plugin_dir()}) {
    argv.push_back(a);
  }
  return testing::ChildProcess(argv);
}

TEST(ServiceNotify, ReadyReloadingStoppingAndWatchdogPingsAtTheConfiguredRate) {
  testing::TempDir dir;
  NotifySocket manager(dir.path() + "/notify");
  ASSERT_TRUE(manager.bound());
  testing::ChildProcess host = run_host(dir, dir.path() + "/notify", "200000");  // pings every 100 ms

  auto ready = manager.next_state(30s);
  ASSERT_TRUE(ready) << "no READY=1";
  EXPECT_EQ(*ready, "READY=1\nSTATUS=running revision 1");

  // Pings over one second: every 100 ms, so about 10 (generous bounds: a
  // loaded machine delays some, never adds any).
  int pings = 0;
  const auto window_end = Clock::now() + 1s;
  while (Clock::now() < window_end) {
    auto m = manager.receive(std::chrono::duration_cast<std::chrono::milliseconds>(window_end - Clock::now()));
    if (m && *m == "WATCHDOG=1") ++pings;
  }
  EXPECT_GE(pings, 5);
  EXPECT_LE(pings, 12);

  host.signal(SIGHUP);
  auto reloading = manager.next_state(10s);
  ASSERT_TRUE(reloading);
  EXPECT_EQ(reloading->rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << *reloading;
  EXPECT_NE(reloading->find("\nSTATUS=reloading"), std::string::npos) << *reloading;
  auto reloaded = manager.next_state(10s);
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->rfind("READY=1\nSTATUS=running; last reload: ", 0), 0u) << *reloaded;

  host.signal(SIGTERM);
  auto stopping = manager.next_state(10s);
  ASSERT_TRUE(stopping);
  EXPECT_EQ(*stopping, "STOPPING=1\nSTATUS=stopping");
  EXPECT_EQ(host.wait(30s).exit_code, 0);
}

TEST(ServiceNotify, AnAbstractSocketNameWorksAndNoWatchdogMeansNoPings) {
  testing::TempDir dir;
  const std::string name = "@hyperion-notify-test-" + std::to_string(::getpid());
  NotifySocket manager(name);
  ASSERT_TRUE(manager.bound());
  testing::ChildProcess host = run_host(dir, name, "");
  auto ready = manager.receive(30s);
  ASSERT_TRUE(ready);
  EXPECT_EQ(*ready, "READY=1\nSTATUS=running revision 1");
  EXPECT_FALSE(manager.receive(300ms)) << "a ping without WATCHDOG_USEC";
  host.signal(SIGTERM);
  EXPECT_EQ(manager.receive(10s).value_or(""), "STOPPING=1\nSTATUS=stopping");
  EXPECT_EQ(host.wait(30s).exit_code, 0);
}

}  // namespace
}  // namespace hyperion
