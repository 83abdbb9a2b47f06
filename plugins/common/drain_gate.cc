#include "drain_gate.h"

#include <algorithm>

namespace hyperion::plugins {

bool DrainGate::begin(Cancellable* call) {
  std::lock_guard lock(mu_);
  if (closed_) return false;
  calls_.push_back(call);
  return true;
}

void DrainGate::end(Cancellable* call) {
  std::lock_guard lock(mu_);
  auto it = std::find(calls_.begin(), calls_.end(), call);
  if (it != calls_.end()) {
    *it = calls_.back();
    calls_.pop_back();
  }
  if (calls_.empty()) idle_.notify_all();
}

bool DrainGate::close_and_drain(std::chrono::steady_clock::time_point deadline) {
  using namespace std::chrono_literals;
  auto now = std::chrono::steady_clock::now();
  // Cancel a little before the deadline, so that cancelled calls (whose
  // handlers see on_cancel and finish) can be done by the deadline itself.
  auto grace = deadline <= now ? 0ns : std::min<std::chrono::nanoseconds>((deadline - now) / 5, 100ms);
  std::unique_lock lock(mu_);
  closed_ = true;
  if (idle_.wait_until(lock, deadline - grace, [&] { return calls_.empty(); })) return true;
  // Cancelling under the lock is safe: a call leaves the set (end) before it
  // is freed, and cancel() only asks the call to end.
  for (Cancellable* call : calls_) call->cancel();
  return idle_.wait_until(lock, deadline, [&] { return calls_.empty(); });
}

size_t DrainGate::in_flight() const {
  std::lock_guard lock(mu_);
  return calls_.size();
}

}  // namespace hyperion::plugins
