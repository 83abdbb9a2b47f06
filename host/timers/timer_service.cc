#include "timers/timer_service.h"

#include <vector>

namespace hyperion::timers {

TimerService::TimerService() = default;

TimerService::~TimerService() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t TimerService::start(const std::string& owner, std::chrono::milliseconds delay,
                             std::chrono::milliseconds period, std::function<void()> fn) {
  std::lock_guard lock(mu_);
  // The thread starts with the first timer: most apps never use one, and a
  // thread start is a noticeable share of the host's start-up.
  if (!thread_.joinable()) thread_ = std::thread([this] { run_loop(); });
  uint64_t id = next_id_++;
  timers_[id] = {owner, Clock::now() + delay, period, std::move(fn)};
  cv_.notify_all();
  return id;
}

void TimerService::wait_not_running(std::unique_lock<std::mutex>& lock, uint64_t id) {
  if (std::this_thread::get_id() == thread_.get_id()) return;  // from inside a callback
  idle_cv_.wait(lock, [&] { return running_ != id; });
}

void TimerService::cancel(uint64_t id) {
  std::unique_lock lock(mu_);
  timers_.erase(id);
  wait_not_running(lock, id);
}

void TimerService::cancel_all(const std::string& owner) {
  std::unique_lock lock(mu_);
  std::vector<uint64_t> ids;
  for (auto it = timers_.begin(); it != timers_.end();) {
    if (it->second.owner == owner) {
      ids.push_back(it->first);
      it = timers_.erase(it);
    } else {
      ++it;
    }
  }
  for (uint64_t id : ids) wait_not_running(lock, id);
}

void TimerService::run_loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    auto next = timers_.end();
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (next == timers_.end() || it->second.due < next->second.due) next = it;
    }
    if (next == timers_.end()) {
      cv_.wait(lock);
      continue;
    }
    if (Clock::now() < next->second.due) {
      // A copy: wait_until keeps a reference, and the timer may be erased meanwhile.
      const Clock::time_point due = next->second.due;
      cv_.wait_until(lock, due);
      continue;  // the set may have changed
    }
    uint64_t id = next->first;
    std::function<void()> fn = next->second.fn;
    if (next->second.period.count() > 0) {
      next->second.due += next->second.period;
    } else {
      timers_.erase(next);
    }
    running_ = id;
    lock.unlock();
    fn();
    lock.lock();
    running_ = 0;
    idle_cv_.notify_all();
  }
}

}  // namespace hyperion::timers
