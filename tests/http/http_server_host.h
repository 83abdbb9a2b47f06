// Helpers for the http-server tests: a real host running the http-server
// plugin and the http_probe handler plugin, and a raw HTTP/1.1 connection for
// what a well-behaved client library will not do (slow headers, pipelining,
// oversized fields, watching a connection close).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "app/host.h"
#include "support/test_support.h"

namespace hyperion::http_server_test {

// A host with the http-server plugin ("web") and the probe ("probe", routes
// under /probe, journal in journal()).
class HttpServerHost {
 public:
  // `web_config`: extra YAML flow-mapping entries for the web instance
  // (", max_body_bytes: 10"); `more`: extra plugin entries. Either may say
  // DIR for this host's folder.
  explicit HttpServerHost(const std::string& web_config = "", const std::string& more = "", bool with_probe = true);
  ~HttpServerHost();

  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string journal() const { return dir_.path() + "/journal"; }
  [[nodiscard]] const testing::TempDir& dir() const { return dir_; }
  [[nodiscard]] const std::string& manifest_text() const { return manifest_; }
  app::Host& host() { return *host_; }
  // Applies a new manifest text; returns the reload summary. Re-reads the port.
  std::string reload(const std::string& manifest_text);
  // The manifest this host would have with other settings.
  std::string manifest(const std::string& web_config, const std::string& more, bool with_probe = true) const;
  void stop();

 private:
  void read_port();
  testing::TempDir dir_;
  std::string manifest_;
  std::unique_ptr<app::Host> host_;
  std::string error_;
  int port_ = 0;
};

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;                            // de-chunked
  [[nodiscard]] std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// One TCP connection to 127.0.0.1:port, with every wait bounded.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  [[nodiscard]] bool connected() const { return fd_ >= 0; }
  // False when the peer closed or reset the connection.
  bool send(const std::string& bytes);
  // Reads one response (Content-Length, chunked, or until close; none for the
  // answer to a HEAD request); nullopt on close or timeout before a whole one arrived.
  std::optional<RawResponse> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                           bool to_head = false);
  // True once the server closed the connection (within `timeout`).
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Reads until what arrived contains `text` (a streamed event, say); false on
  // close or timeout. What was read stays for read_response.
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The socket, for tests that drive it by hand (a flood, non-blocking sends).
  [[nodiscard]] int fd() const { return fd_; }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
};

// "GET <target> HTTP/1.1" with Host and `extra` header lines ("Name: v\r\n").
std::string get_request(const std::string& target, const std::string& extra = "");

}  // namespace hyperion::http_server_test
