// ConnectionPool: idle keep-alive connections per origin (scheme, host, port)
// and TLS settings. A call takes a client (an idle one, or a new one), uses it
// alone, and gives it back if the connection is still good; at most
// max_idle_per_host idle clients are kept per origin. A thread gets back the
// connection it used last when that one is idle: the server's thread for that
// connection then runs where it ran before, and on a busy machine a request
// that hops between connections wakes threads on other cores (on two cores,
// hopping made the benchmark 3-7x slower than per-thread clients).
// Thread-safety: every member may be called from any thread.
#pragma once

#include <httplib.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client_settings.h"

namespace hyperion::plugins::http_client {

struct Origin {
  bool https = false;
  std::string host;
  int port = 0;
  [[nodiscard]] std::string key() const { return (https ? "https://" : "http://") + host + ":" + std::to_string(port); }
  [[nodiscard]] std::string host_port() const { return host + ":" + std::to_string(port); }
};

struct ParsedUrl {
  Origin origin;     // for discovery://, only `https` (each attempt picks host and port)
  std::string path;  // with the query; "/" when empty
  std::string service;  // discovery://<service>/...: the service to pick an instance of
};

// Parses "http(s)://host[:port][/path][?query]", and "discovery://<service>/path"
// (plain HTTP to an instance of the service) or "discovery+https://<service>/path";
// returns false with `error` set.
bool parse_url(std::string_view url, ParsedUrl& out, std::string& error);

// The path a request line carries for what follows a URL's authority: "/" for
// nothing, "/?q" for "?q", the rest as it is.
void assign_request_path(std::string_view rest, std::string& out);

class ConnectionPool {
 public:
  // `key` is the origin's (Origin::key()); a client is reused only with the
  // TLS settings it was made with (tls.fingerprint): idle ones made with other
  // settings (before a reload changed them) are closed when met.
  std::unique_ptr<httplib::ClientImpl> take(const std::string& key, const Origin& origin, const TlsSettings& tls);
  // Keeps `client` (made with `tls`) for reuse if there is room; otherwise it is closed.
  void give_back(const std::string& key, const TlsSettings& tls, std::unique_ptr<httplib::ClientImpl> client,
                 size_t max_idle);
  [[nodiscard]] size_t idle(const std::string& key) const;
  void clear();

 private:
  struct Idle {
    std::unique_ptr<httplib::ClientImpl> client;
    std::thread::id last_user;
    std::string tls_fingerprint;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::vector<Idle>> idle_;
};

}  // namespace hyperion::plugins::http_client
