// ReloadBreaker: a circuit breaker over reloads. After `failures` consecutive
// failed reloads it opens and refuses reloads for a backoff; then it lets one
// through (half-open): success closes it, failure opens it again with the
// backoff doubled, up to a cap. A reload that changes nothing counts as a
// success. Thread-safety: every method may be called from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace hyperion::reload {

class ReloadBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { kClosed, kOpen, kHalfOpen };
  // What a result did to the breaker, for events.
  enum class Transition { kNone, kOpened, kClosed };

  ReloadBreaker(int failures, std::chrono::milliseconds backoff, std::chrono::milliseconds max_backoff);

  // nullopt: go ahead (possibly as the one half-open trial); otherwise the reason
  // the reload is refused.
  std::optional<std::string> admit(Clock::time_point now = Clock::now());
  Transition record(bool success, Clock::time_point now = Clock::now());

  [[nodiscard]] State state(Clock::time_point now = Clock::now()) const;
  // {"state", "consecutive_failures", "backoff_ms", "retry_in_ms"}
  [[nodiscard]] boost::json::object to_json(Clock::time_point now = Clock::now()) const;
  void configure(int failures, std::chrono::milliseconds backoff, std::chrono::milliseconds max_backoff);

 private:
  [[nodiscard]] State state_locked(Clock::time_point now) const;

  mutable std::mutex mu_;
  int threshold_;
  std::chrono::milliseconds initial_backoff_;
  std::chrono::milliseconds max_backoff_;
  std::chrono::milliseconds backoff_;
  int consecutive_failures_ = 0;
  bool open_ = false;
  Clock::time_point open_until_{};
};

const char* breaker_state_name(ReloadBreaker::State state);

}  // namespace hyperion::reload
