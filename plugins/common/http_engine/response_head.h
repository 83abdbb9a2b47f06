// The status line and header block of an answer, written straight into a
// reused buffer: one allocation-free pass instead of Beast's generic header
// serializer (which cost more per request than all of Hyperion's own work;
// bench/http-server). Names and values were checked when they were added
// (exchange.cc); the server-owned fields are written here and only here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hyperion::http_engine {

class ResponseHead {
 public:
  // Starts "HTTP/1.x <status> <reason>\r\n"; `version` is 10 or 11.
  void begin(unsigned version, int status);
  // One header line (the caller drops server-owned names).
  void field(std::string_view name, std::string_view value);
  // The framing and connection fields and the blank line. `content_length`
  // < 0: a chunked body (`chunked`) or none at all (HEAD of a stream).
  void end(int64_t content_length, bool chunked, bool keep_alive);

  [[nodiscard]] const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
  unsigned version_ = 11;
};

}  // namespace hyperion::http_engine
