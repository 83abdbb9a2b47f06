#include "raw_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace bench {
namespace {

// Case-insensitive "does `line` start with `prefix`" (prefix lower-case).
bool starts_with_nocase(const char* line, const char* end, const char* prefix) {
  for (; *prefix != '\0'; ++line, ++prefix) {
    if (line == end || (*line | 0x20) != *prefix) return false;
  }
  return true;
}

// Content-Length and Connection: close from a header block, line by line
// (strcasestr over the whole block cost more than some servers' answers).
void scan_header(const std::string& head, size_t header_end, size_t& content_length, bool& close) {
  const char* p = head.data();
  const char* end = p + header_end;
  while (p < end) {
    const char* eol = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (eol == nullptr) eol = end;
    if (starts_with_nocase(p, eol, "content-length:")) content_length = std::strtoul(p + 15, nullptr, 10);
    if (starts_with_nocase(p, eol, "connection:") && starts_with_nocase(p + 11 + (p[11] == ' '), eol, "close")) {
      close = true;
    }
    p = eol + 1;
  }
}

}  // namespace

RawHttpClient::RawHttpClient(int port) : port_(port) { connect_now(); }

RawHttpClient::~RawHttpClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawHttpClient::connect_now() {
  if (fd_ >= 0) ::close(fd_);
  buffer_.clear();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  return true;
}

void RawHttpClient::send_partial(const std::string& bytes) {
  if (fd_ >= 0) (void)!::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

bool RawHttpClient::get(const std::string& path, std::chrono::milliseconds timeout) {
  if (fd_ < 0 && !connect_now()) return false;
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    connect_now();
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t header_end = std::string::npos;
  size_t need = 0;
  bool close = false;
  while (true) {
    if (header_end == std::string::npos && (header_end = buffer_.find("\r\n\r\n")) != std::string::npos) {
      size_t length = 0;
      scan_header(buffer_, header_end, length, close);
      need = header_end + 4 + length;
    }
    if (header_end != std::string::npos && buffer_.size() >= need) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      connect_now();  // a timed-out answer may still come: never read it as the next one
      return false;
    }
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      connect_now();
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  bool ok = buffer_.compare(0, 12, "HTTP/1.1 200") == 0;
  // A server that ends keep-alive after some requests (cpp-httplib: 5) says
  // so; open a new connection for the next one, as any client would.
  buffer_.erase(0, need);
  if (close) connect_now();
  return ok;
}

}  // namespace bench
