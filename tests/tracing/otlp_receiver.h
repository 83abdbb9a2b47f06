// OtlpReceiver: a small OTLP/HTTP traces receiver for the tests (JSON
// encoding), on a free loopback port. It checks every request against the
// OTLP schema's field names and types as the spec's JSON mapping writes them
// (ids as hex, 64-bit integers as decimal strings, enums as numbers) and keeps
// the spans; a request that does not conform is answered 400 and recorded as
// a violation. Faults on demand: answer the next requests with a status (and
// Retry-After), or answer slowly.
#pragma once

#include <httplib.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hyperion::tracing_test {

struct ReceivedSpan {
  std::string service_name;
  boost::json::object span;  // as received
  [[nodiscard]] std::string str(const char* field) const;
  // The value of attribute `key` as JSON ({"stringValue": ...}), or null.
  [[nodiscard]] boost::json::value attribute(const std::string& key) const;
};

class OtlpReceiver {
 public:
  OtlpReceiver();
  ~OtlpReceiver();
  [[nodiscard]] std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1/traces"; }
  [[nodiscard]] int port() const { return port_; }

  std::vector<ReceivedSpan> spans();
  // Waits until at least `n` spans arrived (or `timeout`).
  bool wait_for(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  [[nodiscard]] int requests() const { return requests_.load(); }
  std::vector<std::string> violations();

  // The next `count` requests get `status` (with Retry-After when not empty), and are not kept.
  void fail_next(int count, int status, const std::string& retry_after = "");
  // Every request waits this long before it is answered.
  void delay(std::chrono::milliseconds d) { delay_ms_ = static_cast<int>(d.count()); }
  void stop();

 private:
  void handle(const httplib::Request& req, httplib::Response& res);
  // Empty when `body` is a conforming ExportTraceServiceRequest.
  std::string check(const boost::json::value& body, std::vector<ReceivedSpan>& out) const;

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<ReceivedSpan> spans_;
  std::vector<std::string> violations_;
  std::atomic<int> requests_{0};
  int fail_count_ = 0;
  int fail_status_ = 0;
  std::string fail_retry_after_;
  std::atomic<int> delay_ms_{0};
};

}  // namespace hyperion::tracing_test
