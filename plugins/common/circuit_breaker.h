// CircuitBreaker: one per remote (an HTTP host, a gRPC target). Closed: calls pass and failures are counted per
// `interval` window; `failure_threshold` failures in a window open it. Open:
// calls fail fast until `timeout` has passed, then it is half-open. Half-open:
// `max_requests` calls pass; a failure opens it again, that many successes
// close it. (The states and settings of sony/gobreaker, which the original
// spec names.) Time is passed in, so tests need no clock.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include <boost/json.hpp>

#include <string>

namespace hyperion::plugins {

// The "circuit_breaker" block of the client plugins' configs (http-client,
// grpc-client): the same names and meanings in both.
struct BreakerSettings {
  bool enabled = true;
  uint32_t max_requests = 1;                  // let through while half-open; that many successes close it
  std::chrono::milliseconds interval{60000};  // closed: failures are counted per window of this length (0: forever)
  std::chrono::milliseconds timeout{30000};   // open: how long before half-open
  uint32_t failure_threshold = 5;             // failures within a window that open it
  bool operator==(const BreakerSettings&) const = default;
};

// The block as the schema validated and defaulted it; `where` prefixes the
// field names in errors ("targets.users.circuit_breaker.").
BreakerSettings parse_breaker_settings(const boost::json::object& block, const std::string& where);

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { kClosed, kHalfOpen, kOpen };

  // Whether a call may go now; a call let through must be recorded exactly once.
  bool allow(const BreakerSettings& s, Clock::time_point now);
  // Returns true when the outcome moved the breaker to another state.
  bool record(const BreakerSettings& s, bool success, Clock::time_point now);
  State state(const BreakerSettings& s, Clock::time_point now);

 private:
  void advance(const BreakerSettings& s, Clock::time_point now);  // time-driven transitions
  void open(Clock::time_point now);

  std::mutex mu_;
  State state_ = State::kClosed;
  uint32_t failures_ = 0;  // closed: in the current window
  Clock::time_point window_start_{};
  Clock::time_point opened_at_{};
  uint32_t half_open_started_ = 0;
  uint32_t half_open_successes_ = 0;
};

const char* state_name(CircuitBreaker::State state);

}  // namespace hyperion::plugins
