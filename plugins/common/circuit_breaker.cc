#include "circuit_breaker.h"

#include "duration.h"

namespace hyperion::plugins {

BreakerSettings parse_breaker_settings(const boost::json::object& cb, const std::string& where) {
  BreakerSettings s;
  s.enabled = cb.at("enabled").as_bool();
  s.max_requests = static_cast<uint32_t>(cb.at("max_requests").to_number<int64_t>());
  s.interval = duration_field(cb, "interval", where);
  s.timeout = duration_field(cb, "timeout", where);
  s.failure_threshold = static_cast<uint32_t>(cb.at("failure_threshold").to_number<int64_t>());
  return s;
}

const char* state_name(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed: return "closed";
    case CircuitBreaker::State::kHalfOpen: return "half-open";
    case CircuitBreaker::State::kOpen: return "open";
  }
  return "closed";
}

void CircuitBreaker::advance(const BreakerSettings& s, Clock::time_point now) {
  if (state_ == State::kOpen && now >= opened_at_ + s.timeout) {
    state_ = State::kHalfOpen;
    half_open_started_ = half_open_successes_ = 0;
  } else if (state_ == State::kClosed && s.interval.count() > 0 && now >= window_start_ + s.interval) {
    failures_ = 0;
    window_start_ = now;
  }
}

void CircuitBreaker::open(Clock::time_point now) {
  state_ = State::kOpen;
  opened_at_ = now;
  failures_ = 0;
}

bool CircuitBreaker::allow(const BreakerSettings& s, Clock::time_point now) {
  if (!s.enabled) return true;
  std::lock_guard lock(mu_);
  advance(s, now);
  switch (state_) {
    case State::kClosed: return true;
    case State::kOpen: return false;
    case State::kHalfOpen:
      if (half_open_started_ >= s.max_requests) return false;
      ++half_open_started_;
      return true;
  }
  return true;
}

bool CircuitBreaker::record(const BreakerSettings& s, bool success, Clock::time_point now) {
  if (!s.enabled) return false;
  std::lock_guard lock(mu_);
  advance(s, now);
  State before = state_;
  if (state_ == State::kHalfOpen) {
    if (!success) {
      open(now);
    } else if (++half_open_successes_ >= s.max_requests) {
      state_ = State::kClosed;
      failures_ = 0;
      window_start_ = now;
    }
  } else if (state_ == State::kClosed && !success) {
    if (failures_ == 0 && s.interval.count() > 0 && now >= window_start_ + s.interval) window_start_ = now;
    if (++failures_ >= s.failure_threshold) open(now);
  }
  return state_ != before;
}

CircuitBreaker::State CircuitBreaker::state(const BreakerSettings& s, Clock::time_point now) {
  if (!s.enabled) return State::kClosed;
  std::lock_guard lock(mu_);
  advance(s, now);
  return state_;
}

}  // namespace hyperion::plugins
