// What the server reports about each request to the plugin: the access log
// line and the metrics are made from it.
#pragma once

#include <hyperion/services/trace.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace hyperion::http_engine {

struct Request;

struct RequestRecord {
  std::string_view method;
  std::string_view target;  // as sent (the log escapes it)
  std::string_view route;   // the matched template; empty when none matched
  int status = 0;           // 499: the client left before the answer
  uint64_t bytes_out = 0;   // body bytes sent
  std::chrono::steady_clock::duration duration{};
  std::string_view peer;
  std::string_view request_id;
  const Request* request = nullptr;  // its trace() is made only if the log asks
  std::string_view error;            // the handler's note_error, or the server's reason for a 5xx
};

class Observer {
 public:
  virtual void request_finished(const RequestRecord& record) = 0;
  virtual void handler_failed(std::string_view route, std::string_view what) = 0;
  // The tracer of the running tracing instance, or null when none runs.
  [[nodiscard]] virtual const hyperion::trace::Tracer* tracer() const = 0;

 protected:
  ~Observer() = default;
};

}  // namespace hyperion::http_engine
