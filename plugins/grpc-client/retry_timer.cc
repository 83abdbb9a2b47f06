#include "retry_timer.h"

#include <vector>

namespace hyperion::plugins::grpc_client {

RetryTimer::RetryTimer() : thread_([this] { loop(); }) {}

RetryTimer::~RetryTimer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t RetryTimer::schedule(Clock::time_point when, Callback fn) {
  uint64_t id = 0;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    entries_[id] = Entry{when, std::move(fn), stopping_};
  }
  cv_.notify_all();
  return id;
}

void RetryTimer::cancel(uint64_t id) {
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    it->second.cancelled = true;
  }
  cv_.notify_all();
}

void RetryTimer::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    // Everything due or cancelled runs now, outside the lock (a callback may schedule again).
    const auto now = Clock::now();
    std::vector<std::pair<Callback, bool>> due;
    auto earliest = Clock::time_point::max();
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.cancelled || stopping_ || it->second.when <= now) {
        due.emplace_back(std::move(it->second.fn), !it->second.cancelled && !stopping_);
        it = entries_.erase(it);
      } else {
        earliest = std::min(earliest, it->second.when);
        ++it;
      }
    }
    if (!due.empty()) {
      lock.unlock();
      for (auto& [fn, fired] : due) fn(fired);
      lock.lock();
      continue;
    }
    if (stopping_) return;
    if (earliest == Clock::time_point::max())
      cv_.wait(lock);
    else
      cv_.wait_until(lock, earliest);
  }
}

}  // namespace hyperion::plugins::grpc_client
