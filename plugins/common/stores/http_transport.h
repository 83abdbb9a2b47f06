// How the store clients (etcd, Consul) reach a server over HTTP/1.1: endpoint
// URLs whose scheme follows TLS, TLS with a CA, a client certificate and a
// server name to verify when the address is an IP or another name than the
// certificate's, and the connect/read timeouts. Shared so both stores mean the
// same by the same settings.
// Thread-safety: pure functions; each httplib::Client they make is used by one
// thread at a time (stop() excepted).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace httplib {
class Client;
}

namespace hyperion::plugins::stores {

struct TlsSettings {
  bool enabled = false;
  std::string ca_file;      // PEM CAs the server is verified against (default: the system's)
  std::string cert_file;    // client certificate, when the server asks for one
  std::string key_file;     // its key
  std::string server_name;  // the name the certificate must carry (default: the address's host)
};

// "host:port" or a URL each; a bare address gets https:// when tls.enabled.
std::vector<std::string> endpoint_urls(const std::vector<std::string>& endpoints, bool tls);

// A client for `url` (a URL from endpoint_urls): server certificates verified
// on https (against tls.server_name when given, while connecting to the URL's
// host), keep-alive off. Throws std::runtime_error when tls.server_name is set
// and the URL's host does not resolve.
std::unique_ptr<httplib::Client> open_http_client(const std::string& url, const TlsSettings& tls,
                                                  std::chrono::milliseconds connect_timeout,
                                                  std::chrono::milliseconds read_timeout);

}  // namespace hyperion::plugins::stores
