#include "response_head.h"

#include <charconv>

#include "problem.h"

namespace hyperion::http_engine {

void ResponseHead::begin(unsigned version, int status) {
  version_ = version == 10 ? 10 : 11;
  text_.clear();
  text_.append(version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  char digits[8];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, status);
  (void)ec;
  text_.append(digits, end).push_back(' ');
  text_.append(reason_phrase(status)).append("\r\n");
}

void ResponseHead::field(std::string_view name, std::string_view value) {
  text_.append(name).append(": ").append(value).append("\r\n");
}

void ResponseHead::end(int64_t content_length, bool chunked, bool keep_alive) {
  if (content_length >= 0) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, content_length);
    (void)ec;
    text_.append("Content-Length: ").append(digits, end).append("\r\n");
  } else if (chunked) {
    text_.append("Transfer-Encoding: chunked\r\n");
  }
  // HTTP/1.1 keeps a connection by default, HTTP/1.0 closes it by default.
  if (version_ == 11 && !keep_alive) text_.append("Connection: close\r\n");
  if (version_ == 10 && keep_alive) text_.append("Connection: keep-alive\r\n");
  text_.append("\r\n");
}

}  // namespace hyperion::http_engine
