// TimerService: one-shot and periodic timers for plugins (the host API's
// timer_start / timer_cancel), run on one host thread in due-time order.
// cancel() waits for a callback that is running, unless called from inside it.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace hyperion::timers {

class TimerService {
 public:
  using Clock = std::chrono::steady_clock;

  TimerService();
  ~TimerService();
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  // `owner` groups timers for cancel_all (an instance name). period 0 = once.
  uint64_t start(const std::string& owner, std::chrono::milliseconds delay, std::chrono::milliseconds period,
                 std::function<void()> fn);
  void cancel(uint64_t id);
  void cancel_all(const std::string& owner);

 private:
  struct Timer {
    std::string owner;
    Clock::time_point due;
    std::chrono::milliseconds period;
    std::function<void()> fn;
  };
  void run_loop();
  void wait_not_running(std::unique_lock<std::mutex>& lock, uint64_t id);

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::map<uint64_t, Timer> timers_;
  uint64_t next_id_ = 1;
  uint64_t running_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace hyperion::timers
