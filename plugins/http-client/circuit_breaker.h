// CircuitBreaker: one per host. Closed: calls pass and failures are counted per
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

#include "client_settings.h"

namespace hyperion::plugins::http_client {

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

}  // namespace hyperion::plugins::http_client
