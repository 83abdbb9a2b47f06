// A real etcd (Debian's etcd-server) for one test: its own data folder and free
// loopback ports, started on construction, killed (and its folder removed) on
// destruction. stop()/start() restart it on the same ports and data, as an
// outage would. TLS with the test CA when asked.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace hyperion::testing {

class EtcdServer {
 public:
  struct Options {
    bool tls = false;  // serve https with make_test_certificates(); certs in cert_dir()
  };
  EtcdServer() : EtcdServer(Options{}) {}
  explicit EtcdServer(Options options);
  ~EtcdServer();
  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  // Kills etcd (SIGKILL: as a crash would) / starts it again on the same ports and data.
  void stop();
  void start();
  [[nodiscard]] bool running() const { return pid_ > 0; }

  [[nodiscard]] std::string endpoint() const { return "127.0.0.1:" + std::to_string(client_port_); }
  [[nodiscard]] std::string url() const { return (options_.tls ? "https://" : "http://") + endpoint(); }
  [[nodiscard]] const std::string& cert_dir() const { return dir_.path(); }

  // etcdctl against this server (with the TLS flags when serving TLS), e.g.
  // {"put", "k", "v"}; extra global flags (--user) go in `flags`.
  ProcessResult etcdctl(const std::vector<std::string>& args, const std::vector<std::string>& flags = {}) const;

  // Whether etcd is installed (the tests skip, saying so, when it is not).
  static bool available();

 private:
  Options options_;
  TempDir dir_;
  int client_port_ = 0;
  int peer_port_ = 0;
  int pid_ = -1;
};

}  // namespace hyperion::testing
