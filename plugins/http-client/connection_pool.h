// ConnectionPool: idle keep-alive connections per origin (scheme, host, port)
// and TLS settings. A call takes a client (an idle one, or a new one), uses it
// alone, and gives it back if the connection is still good; at most
// max_idle_per_host idle clients are kept per origin.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <httplib.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client_settings.h"

namespace http_plugin {

struct Origin {
  bool https = false;
  std::string host;
  int port = 0;
  [[nodiscard]] std::string key() const { return (https ? "https://" : "http://") + host + ":" + std::to_string(port); }
  [[nodiscard]] std::string host_port() const { return host + ":" + std::to_string(port); }
};

struct ParsedUrl {
  Origin origin;
  std::string path;  // with the query; "/" when empty
};

// Parses "http(s)://host[:port][/path][?query]"; returns false with `error` set.
bool parse_url(std::string_view url, ParsedUrl& out, std::string& error);

class ConnectionPool {
 public:
  std::unique_ptr<httplib::ClientImpl> take(const Origin& origin, const TlsSettings& tls);
  // Keeps `client` for reuse if there is room; otherwise it is closed.
  void give_back(const Origin& origin, const TlsSettings& tls, std::unique_ptr<httplib::ClientImpl> client,
                 size_t max_idle);
  [[nodiscard]] size_t idle(const Origin& origin, const TlsSettings& tls) const;
  void clear();

 private:
  static std::string key(const Origin& origin, const TlsSettings& tls) { return origin.key() + '\n' + tls.fingerprint(); }
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<httplib::ClientImpl>>> idle_;
};

}  // namespace http_plugin
