// Where batches of spans go: an OTLP/HTTP collector (Jaeger, the
// OpenTelemetry Collector) or a file of JSON lines (debugging; "-" is stdout).
// One send() is one attempt; the BatchProcessor decides about retries.
// Thread-safety: send() from one thread at a time (the batch worker).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hyperion::plugins::tracing {

struct SendOutcome {
  bool ok = false;
  bool retryable = false;                                // 429, 502, 503, 504, a connection error
  std::optional<std::chrono::milliseconds> retry_after;  // as the receiver asked
  std::string error;                                     // "HTTP 400: ...", "connection refused"
};

class Exporter {
 public:
  virtual ~Exporter() = default;
  virtual SendOutcome send(const std::string& otlp_json) = 0;
  [[nodiscard]] virtual std::string describe() const = 0;
};

struct OtlpHttpSettings {
  std::string endpoint;  // http://host:port/v1/traces (or https://)
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{2000};
};

// Throws hyperion::Error naming exporter.endpoint when it is not an http(s) URL.
std::unique_ptr<Exporter> make_otlp_http_exporter(const OtlpHttpSettings& settings);
// Appends one JSON document per line to `path` ("-": standard output).
std::unique_ptr<Exporter> make_file_exporter(const std::string& path);

}  // namespace hyperion::plugins::tracing
