#include "http/http_server_host.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

namespace hyperion::http_server_test {

HttpServerHost::HttpServerHost(const std::string& web_config, const std::string& more, bool with_probe) {
  manifest_ = manifest(web_config, more, with_probe);
  app::HostOptions options;
  options.plugin_path = {std::filesystem::path(testing::test_plugin("http_probe")).parent_path().string(),
                         testing::example_plugin_dir()};
  auto host = app::Host::prepare(dir_.write("app.yaml", manifest_), options);
  if (!host.ok()) {
    error_ = host.status().to_string();
    return;
  }
  host_ = std::move(*host);
  if (auto s = host_->start(); !s.ok()) {
    error_ = s.to_string();
    return;
  }
  read_port();
}

std::string HttpServerHost::manifest(const std::string& web_config, const std::string& more, bool with_probe) const {
  std::string text =
      "app: web\nhost:\n  state_dir: " + dir_.path() + "/state\n  log_level: error\n" +
      "  admin: {enabled: false}\n  health: {timeout_ms: 500, cache_ms: 1}\nplugins:\n" +
      "  - name: web\n    library: http-server\n    config: {threads: 2" +
      (web_config.find("listen:") == std::string::npos ? ", listen: \"127.0.0.1:0\"" : "") + web_config + "}\n" +
      (with_probe ? "  - name: probe\n    library: http_probe\n    config: {journal: \"" + journal() + "\"}\n"
                  : std::string()) +
      more;
  for (size_t at; (at = text.find("DIR")) != std::string::npos;) text.replace(at, 3, dir_.path());
  return text;
}

HttpServerHost::~HttpServerHost() { stop(); }

void HttpServerHost::read_port() {
  auto report = host_->instance_health("web");
  if (!report.ok()) {
    error_ = report.status().to_string();
    return;
  }
  port_ = static_cast<int>(boost::json::parse(*report).at("details").at("port").as_int64());
}

std::string HttpServerHost::reload(const std::string& manifest_text) {
  reload::ReloadRequest request;
  request.source = "test";
  request.manifest_text = manifest_text;
  auto result = host_->reloads().reload(request);
  read_port();
  return result.summary();
}

void HttpServerHost::stop() {
  if (host_ && error_.empty()) (void)host_->stop();
  host_.reset();
}

RawConnection::RawConnection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool RawConnection::fill(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[65536];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<RawResponse> RawConnection::read_response(std::chrono::milliseconds timeout, bool to_head) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(deadline)) return std::nullopt;
  }
  RawResponse r;
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12) return std::nullopt;
  r.status = std::stoi(status_line.substr(9, 3));
  size_t at = line_end == std::string::npos ? head.size() : line_end + 2;
  while (at < head.size()) {
    size_t next = head.find("\r\n", at);
    std::string line = head.substr(at, next == std::string::npos ? std::string::npos : next - at);
    at = next == std::string::npos ? head.size() : next + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[name] = value;
  }
  if (to_head || r.status == 204 || r.status == 304 || r.status / 100 == 1) return r;
  if (r.header("transfer-encoding") == "chunked") {
    while (true) {
      size_t crlf;
      while ((crlf = buffer_.find("\r\n")) == std::string::npos) {
        if (!fill(deadline)) return std::nullopt;
      }
      size_t size = std::stoul(buffer_.substr(0, crlf), nullptr, 16);
      while (buffer_.size() < crlf + 2 + size + 2) {
        if (!fill(deadline)) return std::nullopt;
      }
      r.body.append(buffer_, crlf + 2, size);
      buffer_.erase(0, crlf + 2 + size + 2);
      if (size == 0) return r;
    }
  }
  std::string length = r.header("content-length");
  if (!length.empty()) {
    size_t n = std::stoul(length);
    while (buffer_.size() < n) {
      if (!fill(deadline)) return std::nullopt;
    }
    r.body = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return r;
  }
  while (fill(deadline)) {
  }
  r.body = std::move(buffer_);
  buffer_.clear();
  return r;
}

bool RawConnection::closed_by_peer(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return true;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  return false;
}

bool RawConnection::wait_for(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (buffer_.find(text) == std::string::npos) {
    if (!fill(deadline)) return false;
  }
  return true;
}

std::string get_request(const std::string& target, const std::string& extra) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

}  // namespace hyperion::http_server_test
