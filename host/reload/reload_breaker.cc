#include "reload/reload_breaker.h"

#include <algorithm>

namespace hyperion::reload {

const char* breaker_state_name(ReloadBreaker::State state) {
  switch (state) {
    case ReloadBreaker::State::kClosed: return "closed";
    case ReloadBreaker::State::kOpen: return "open";
    case ReloadBreaker::State::kHalfOpen: return "half-open";
  }
  return "?";
}

ReloadBreaker::ReloadBreaker(int failures, std::chrono::milliseconds backoff, std::chrono::milliseconds max_backoff)
    : threshold_(failures), initial_backoff_(backoff), max_backoff_(max_backoff), backoff_(backoff) {}

void ReloadBreaker::configure(int failures, std::chrono::milliseconds backoff, std::chrono::milliseconds max_backoff) {
  std::lock_guard lock(mu_);
  threshold_ = failures;
  initial_backoff_ = backoff;
  max_backoff_ = max_backoff;
  if (!open_) backoff_ = backoff;
}

ReloadBreaker::State ReloadBreaker::state_locked(Clock::time_point now) const {
  if (!open_) return State::kClosed;
  return now < open_until_ ? State::kOpen : State::kHalfOpen;
}

ReloadBreaker::State ReloadBreaker::state(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  return state_locked(now);
}

std::optional<std::string> ReloadBreaker::admit(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (state_locked(now) != State::kOpen) return std::nullopt;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(open_until_ - now).count();
  return "the reload circuit breaker is open after " + std::to_string(consecutive_failures_) +
         " consecutive failed reloads; the next attempt is allowed in " + std::to_string(left) + " ms";
}

ReloadBreaker::Transition ReloadBreaker::record(bool success, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (success) {
    bool was_open = open_;
    open_ = false;
    consecutive_failures_ = 0;
    backoff_ = initial_backoff_;
    return was_open ? Transition::kClosed : Transition::kNone;
  }
  ++consecutive_failures_;
  if (open_) {
    // The half-open trial failed: open again, for twice as long.
    backoff_ = std::min(backoff_ * 2, max_backoff_);
    open_until_ = now + backoff_;
    return Transition::kOpened;
  }
  if (consecutive_failures_ >= threshold_) {
    open_ = true;
    open_until_ = now + backoff_;
    return Transition::kOpened;
  }
  return Transition::kNone;
}

boost::json::object ReloadBreaker::to_json(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  boost::json::object o;
  o["state"] = breaker_state_name(state_locked(now));
  o["consecutive_failures"] = consecutive_failures_;
  o["backoff_ms"] = backoff_.count();
  o["retry_in_ms"] = open_ && now < open_until_
                         ? std::chrono::duration_cast<std::chrono::milliseconds>(open_until_ - now).count()
                         : 0;
  return o;
}

}  // namespace hyperion::reload
