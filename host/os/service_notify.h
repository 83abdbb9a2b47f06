// ServiceNotifier: tells a service manager (systemd's Type=notify) what the
// host is doing, over the documented sd_notify protocol — one datagram of
// "KEY=value" lines to the unix socket named by $NOTIFY_SOCKET (a path, or an
// abstract name written with a leading '@'). No libsystemd: the protocol is
// stable and a dozen lines (sd_notify(3)).
//   READY=1                 every instance started (and again after a reload)
//   RELOADING=1             a reload begins (with MONOTONIC_USEC, systemd 253+)
//   STOPPING=1              shutdown begins
//   STATUS=...              one line for `systemctl status`
//   WATCHDOG=1              every half of $WATCHDOG_USEC, from its own thread
// Without $NOTIFY_SOCKET from_environment() gives nullptr and nothing is sent.
// Thread-safety: notify() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace hyperion::os {

class ServiceNotifier {
 public:
  // Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID, then removes them
  // from the environment so that nothing the host starts (plugins, their
  // children) talks to the service manager in its name. Call it before any
  // thread exists (it changes the environment).
  static std::unique_ptr<ServiceNotifier> from_environment();
  ~ServiceNotifier();
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  // Sends `state` (newline-separated assignments); false when it could not.
  bool notify(std::string_view state);
  // The watchdog's ping interval (half of $WATCHDOG_USEC), zero when none was asked for.
  [[nodiscard]] std::chrono::microseconds watchdog_interval() const { return watchdog_interval_; }
  // Pings WATCHDOG=1 every watchdog_interval() until stop_watchdog() (or destruction).
  void start_watchdog();
  void stop_watchdog();

 private:
  ServiceNotifier(std::string socket_path, std::chrono::microseconds watchdog_interval);

  const std::string socket_path_;
  const std::chrono::microseconds watchdog_interval_;
  int fd_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread watchdog_;
};

}  // namespace hyperion::os
