#include "stores/http_transport.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace hyperion::plugins::stores {
namespace {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets
  std::string port;
};

Url split_url(const std::string& url) {
  Url u;
  const size_t scheme_end = url.find("://");
  u.scheme = url.substr(0, scheme_end);
  std::string rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('/'));
  if (rest.starts_with('[')) {  // [v6]:port
    const size_t close = rest.find(']');
    u.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') u.port = rest.substr(close + 2);
  } else {
    const size_t colon = rest.rfind(':');
    u.host = rest.substr(0, colon);
    if (colon != std::string::npos) u.port = rest.substr(colon + 1);
  }
  if (u.port.empty()) u.port = u.scheme == "https" ? "443" : "80";
  return u;
}

// httplib connects to a mapped address only when it is numeric.
std::string numeric_address(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    throw std::runtime_error("cannot resolve " + host);
  }
  char text[INET6_ADDRSTRLEN] = {};
  const void* addr = found->ai_family == AF_INET6
                         ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(found->ai_addr)->sin6_addr)
                         : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr);
  ::inet_ntop(found->ai_family, addr, text, sizeof text);
  ::freeaddrinfo(found);
  return text;
}

std::mutex g_first_use_mu;
std::atomic<bool> g_response_parsed{false};

std::pair<time_t, time_t> seconds_and_micros(std::chrono::milliseconds ms) {
  return {ms.count() / 1000, (ms.count() % 1000) * 1000};
}

}  // namespace

std::vector<std::string> endpoint_urls(const std::vector<std::string>& endpoints, bool tls) {
  std::vector<std::string> urls;
  for (const std::string& e : endpoints) {
    if (e.starts_with("http://") || e.starts_with("https://"))
      urls.push_back(e);
    else
      urls.push_back((tls ? "https://" : "http://") + e);
  }
  return urls;
}

std::unique_ptr<httplib::Client> open_http_client(const std::string& url, const TlsSettings& tls,
                                                  std::chrono::milliseconds connect_timeout,
                                                  std::chrono::milliseconds read_timeout) {
  const Url parts = split_url(url);
  const bool https = parts.scheme == "https";
  // With a server name, httplib is told that name as the host (so TLS sends it
  // and verifies the certificate against it) and where that name lives.
  const bool rename = https && !tls.server_name.empty() && tls.server_name != parts.host;
  const std::string target = rename ? "https://" + tls.server_name + ":" + parts.port : url;
  std::unique_ptr<httplib::Client> cli;
  {
    std::lock_guard one_at_a_time(g_first_use_mu);  // send() says why
    cli = tls.cert_file.empty() ? std::make_unique<httplib::Client>(target)
                                : std::make_unique<httplib::Client>(target, tls.cert_file, tls.key_file);
  }
  if (rename) cli->set_hostname_addr_map({{tls.server_name, numeric_address(parts.host)}});
  if (https) {
    if (!tls.ca_file.empty()) cli->set_ca_cert_path(tls.ca_file.c_str());
    cli->enable_server_certificate_verification(true);
  }
  auto [cs, cus] = seconds_and_micros(connect_timeout);
  auto [rs, rus] = seconds_and_micros(read_timeout);
  cli->set_connection_timeout(cs, cus);
  cli->set_read_timeout(rs, rus);
  cli->set_write_timeout(cs, cus);
  cli->set_keep_alive(false);
  return cli;
}

void warm_up_http() {
  static std::once_flag once;
  std::call_once(once, [] {
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 1) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(listener);
      return;
    }
    // The answering side: one connection, one fixed answer, bounded in time.
    std::thread answer([listener] {
      pollfd p{listener, POLLIN, 0};
      if (::poll(&p, 1, 2000) != 1) return;
      const int c = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string request;
      char buf[512];
      for (int rounds = 0; rounds < 16 && request.find("\r\n\r\n") == std::string::npos; ++rounds) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 2000) != 1) break;
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      static constexpr char kAnswer[] = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!::write(c, kAnswer, sizeof kAnswer - 1);
      ::close(c);
    });
    {
      std::lock_guard one_at_a_time(g_first_use_mu);
      httplib::Client cli("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
      cli.set_connection_timeout(2, 0);
      cli.set_read_timeout(2, 0);
      if (cli.Get("/")) g_response_parsed.store(true, std::memory_order_release);
    }
    answer.join();
    ::close(listener);
  });
}

bool send(httplib::Client& cli, httplib::Request& req, httplib::Response& res, httplib::Error& err) {
  std::unique_lock<std::mutex> turn;  // held only until the first response line was read
  if (!g_response_parsed.load(std::memory_order_acquire)) turn = std::unique_lock(g_first_use_mu);
  auto own = std::move(req.response_handler);
  req.response_handler = [&](const httplib::Response& r) {
    if (turn.owns_lock()) {
      g_response_parsed.store(true, std::memory_order_release);
      turn.unlock();
    }
    return own ? own(r) : true;
  };
  return cli.send(req, res, err);
}

size_t Endpoints::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

void Endpoints::set_current(size_t i) {
  std::lock_guard lock(mu_);
  current_ = i % urls_.size();
}

bool Endpoints::begin(httplib::Client* cli) {
  std::lock_guard lock(mu_);
  if (stopped_) return false;
  in_flight_ = cli;
  return true;
}

bool Endpoints::end() {
  std::lock_guard lock(mu_);
  in_flight_ = nullptr;
  return stopped_;
}

void Endpoints::stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  if (in_flight_ != nullptr) in_flight_->stop();
}

void Endpoints::resume() {
  std::lock_guard lock(mu_);
  stopped_ = false;
}

bool Endpoints::stopped() const {
  std::lock_guard lock(mu_);
  return stopped_;
}

}  // namespace hyperion::plugins::stores
