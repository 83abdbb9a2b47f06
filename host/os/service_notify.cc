#include "os/service_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace hyperion::os {
namespace {

std::string take_env(const char* name) {
  const char* value = std::getenv(name);
  std::string out = value != nullptr ? value : "";
  ::unsetenv(name);
  return out;
}

}  // namespace

std::unique_ptr<ServiceNotifier> ServiceNotifier::from_environment() {
  std::string socket_path = take_env("NOTIFY_SOCKET");
  std::string watchdog_usec = take_env("WATCHDOG_USEC");
  std::string watchdog_pid = take_env("WATCHDOG_PID");
  if (socket_path.empty() || socket_path.size() >= sizeof(sockaddr_un::sun_path)) return nullptr;
  if (socket_path[0] != '/' && socket_path[0] != '@') return nullptr;  // vsock and others: not supported
  std::chrono::microseconds interval{0};
  // WATCHDOG_PID, when set, names the process that must ping: not us, no pings.
  if (!watchdog_usec.empty() && (watchdog_pid.empty() || watchdog_pid == std::to_string(::getpid()))) {
    char* end = nullptr;
    unsigned long long usec = std::strtoull(watchdog_usec.c_str(), &end, 10);
    if (end != nullptr && *end == '\0' && usec > 0) interval = std::chrono::microseconds(usec / 2);
  }
  return std::unique_ptr<ServiceNotifier>(new ServiceNotifier(std::move(socket_path), interval));
}

ServiceNotifier::ServiceNotifier(std::string socket_path, std::chrono::microseconds watchdog_interval)
    : socket_path_(std::move(socket_path)), watchdog_interval_(watchdog_interval) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

ServiceNotifier::~ServiceNotifier() {
  stop_watchdog();
  if (fd_ >= 0) ::close(fd_);
}

bool ServiceNotifier::notify(std::string_view state) {
  if (fd_ < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  if (socket_path_[0] == '@') {
    address.sun_path[0] = '\0';  // the abstract namespace: no trailing NUL counted
  } else {
    length += 1;
  }
  return ::sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address), length) ==
         static_cast<ssize_t>(state.size());
}

void ServiceNotifier::start_watchdog() {
  if (watchdog_interval_.count() == 0 || watchdog_.joinable()) return;
  watchdog_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      notify("WATCHDOG=1");
      lock.lock();
      cv_.wait_for(lock, watchdog_interval_, [this] { return stopping_; });
    }
  });
}

void ServiceNotifier::stop_watchdog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
}

}  // namespace hyperion::os
