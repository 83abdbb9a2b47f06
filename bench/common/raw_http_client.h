// The benchmark's load client: keep-alive HTTP/1.1 over a plain socket, one
// request in flight per connection, reading exactly one answer (Content-Length).
// Small and the same for every server, so its own cost cancels out in the ratios.
#pragma once

#include <chrono>
#include <string>

namespace bench {

class RawHttpClient {
 public:
  explicit RawHttpClient(int port);
  ~RawHttpClient();
  RawHttpClient(const RawHttpClient&) = delete;
  RawHttpClient& operator=(const RawHttpClient&) = delete;
  // One GET; false on an error, a status other than 200, or no answer within `timeout`.
  bool get(const std::string& path, std::chrono::milliseconds timeout = std::chrono::seconds(2));
  // Sends the start of a request and never finishes it (a slow client).
  void send_partial(const std::string& bytes);

 private:
  bool connect_now();
  int port_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace bench
