// How the store clients (etcd, Consul) reach a server over HTTP/1.1: endpoint
// URLs whose scheme follows TLS, TLS with a CA, a client certificate and a
// server name to verify when the address is an IP or another name than the
// certificate's, and the connect/read timeouts. Shared so both stores mean the
// same by the same settings.
// Thread-safety: pure functions, and Endpoints (below); each httplib::Client
// they make is used by one thread at a time (stop() excepted).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace httplib {
class Client;
struct Request;
struct Response;
enum class Error;
}  // namespace httplib

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

// Sends `req` on `cli` (httplib::Client::send), keeping `req`'s own response
// handler. cpp-httplib builds function-local static std::regex objects the
// first time it parses a URL (in a client's constructor) and a response line;
// Debian's library is not built with ThreadSanitizer, which cannot see the
// guard around them and reports every concurrent first use as a race (decision
// 0007, addendum). So clients are made one at a time (open_http_client), and
// until one response line has been read in this library, requests sent here go
// one at a time, each letting the others go as soon as its response's headers
// arrive (a long blocking query or watch stream holds up no one).
bool send(httplib::Client& cli, httplib::Request& req, httplib::Response& res, httplib::Error& err);

// Builds cpp-httplib's function-local statics (the URL and response-line
// regexes) on the calling thread, once per loaded copy of this library, with
// one request to a loopback listener of its own. Call it where a plugin is
// created, before it starts threads: every thread started afterwards then
// sees them built (ThreadSanitizer too), even when several copies of a plugin
// are loaded (several hosts in one test process), which send()'s turn alone
// cannot order. Errors are ignored: this only makes the first use earlier.
void warm_up_http();

// The endpoints of one store client: their URLs, the one that answered last
// (tried first next time), and the request in flight, which stop() interrupts
// from any thread. Thread-safety: every member from any thread.
class Endpoints {
 public:
  Endpoints(const std::vector<std::string>& endpoints, bool tls) : urls_(endpoint_urls(endpoints, tls)) {}
  [[nodiscard]] size_t size() const { return urls_.size(); }
  [[nodiscard]] const std::string& url(size_t i) const { return urls_[i]; }
  [[nodiscard]] size_t current() const;
  [[nodiscard]] std::string current_url() const { return urls_[current()]; }
  void set_current(size_t i);

  // Makes `cli` the request in flight; false (and nothing registered) when stopped.
  [[nodiscard]] bool begin(httplib::Client* cli);
  // The request ended; true when stop() was called before or meanwhile.
  bool end();
  void stop();
  void resume();
  [[nodiscard]] bool stopped() const;

 private:
  const std::vector<std::string> urls_;
  mutable std::mutex mu_;
  size_t current_ = 0;
  bool stopped_ = false;
  httplib::Client* in_flight_ = nullptr;
};

}  // namespace hyperion::plugins::stores
