// The gateway's metrics and upstream log lines: per route (its name, or
// "METHOD path") and per upstream (a gRPC target and method, or an HTTP host).
// Thread-safety: any thread; the host's registry does the locking.
#pragma once

#include <hyperion/plugin.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace hyperion::plugins::api_gateway {

class GatewayMetrics {
 public:
  using Clock = std::chrono::steady_clock;
  explicit GatewayMetrics(const hyperion::Context& ctx) : ctx_(ctx) {}

  // HELP text for every family; call at start.
  void describe() const;
  // A request the gateway answered (itself or from upstream) with `status`.
  void request(const std::string& route, int status, Clock::time_point started) const;
  // A request the gateway refused before any upstream call: unauthenticated,
  // forbidden, rate_limited or bad_request.
  void rejected(const std::string& route, std::string_view reason) const;
  // One upstream call and its outcome ("OK", "NOT_FOUND", "200", "error").
  void upstream(const std::string& route, const std::string& upstream, const std::string& outcome,
                Clock::time_point started, std::string_view traceparent) const;

 private:
  const hyperion::Context& ctx_;
};

}  // namespace hyperion::plugins::api_gateway
