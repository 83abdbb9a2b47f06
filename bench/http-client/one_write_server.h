// The benchmark's HTTP/1.1 server: keep-alive connections, one thread each, and
// every response (status line, headers and body) written with one send, as nginx
// does. cpp-httplib's server writes the headers and the body with two sends, so
// a client that is quick to wait again for the body pays for an extra wakeup:
// the figures then measured how fast a client went back to sleep, not the work
// it did (see docs/http-client.md, "Benchmark").
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hyperion::bench {

class OneWriteServer {
 public:
  // Answers every request with 200 and `body`.
  explicit OneWriteServer(std::string body)
      : response_("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
                  "\r\n\r\n" + body) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 128) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error(std::string("bench server: cannot listen on 127.0.0.1: ") + std::strerror(errno));
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  OneWriteServer(const OneWriteServer&) = delete;
  OneWriteServer& operator=(const OneWriteServer&) = delete;

  ~OneWriteServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mu_);
      for (int fd : connections_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    for (int fd : connections_) ::close(fd);  // closed only now, so no number is reused while shut down above
    ::close(listener_);
  }

  int port() const { return port_; }

 private:
  void accept_loop() {
    while (!stopping_) {
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;  // shut down (stopping_) or a transient error
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard lock(mu_);
      connections_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  // Reads requests (headers, then a Content-Length body if any) and answers each.
  void serve(int fd) {
    std::string in;
    char buf[4096];
    for (;;) {
      size_t end = in.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t body = content_length(std::string_view(in).substr(0, end));
        if (in.size() >= end + 4 + body) {
          in.erase(0, end + 4 + body);
          if (::send(fd, response_.data(), response_.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(response_.size())) {
            break;
          }
          continue;
        }
      }
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
  }

  static size_t content_length(std::string_view head) {
    for (size_t at = head.find("\r\n"); at != std::string_view::npos; at = head.find("\r\n", at + 2)) {
      std::string_view line = head.substr(at + 2, head.find("\r\n", at + 2) - (at + 2));
      static constexpr std::string_view kName = "content-length:";
      if (line.size() > kName.size() &&
          std::equal(kName.begin(), kName.end(), line.begin(), [](char a, char b) { return a == std::tolower(b); })) {
        return std::stoul(std::string(line.substr(kName.size())));
      }
    }
    return 0;
  }

  const std::string response_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> connections_;
  std::vector<std::thread> workers_;
};

}  // namespace hyperion::bench
