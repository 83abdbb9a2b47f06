// A cpp-httplib server on a free 127.0.0.1 port, on a thread of its own, for
// tests that need a plain HTTP upstream: register routes on server(), then
// start(); stopped and joined when the object goes away.
#pragma once

#include <httplib.h>

#include <stdexcept>
#include <thread>

#include "support/test_support.h"

namespace hyperion::testing {

class LoopbackHttpServer {
 public:
  LoopbackHttpServer() = default;
  ~LoopbackHttpServer() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  [[nodiscard]] httplib::Server& server() { return server_; }
  // Binds, serves, and returns once the accept loop runs (at most 10 s).
  void start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("LoopbackHttpServer: cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    if (!eventually([this] { return server_.is_running(); })) {
      throw std::runtime_error("LoopbackHttpServer: the accept loop did not start");
    }
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace hyperion::testing
