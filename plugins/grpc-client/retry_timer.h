// RetryTimer: runs the callbacks of calls waiting to retry, on one thread of
// the plugin, at their time — or at once with fired = false when cancelled.
// (gRPC's callback alarm would need to be destroyed inside its own callback,
// where the retry starts; that lost calls.)
// Thread-safety: every member from any thread; callbacks run on the timer's
// thread, one at a time, and may schedule again.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace hyperion::plugins::grpc_client {

class RetryTimer {
 public:
  using Clock = std::chrono::steady_clock;
  using Callback = std::function<void(bool fired)>;

  RetryTimer();
  ~RetryTimer();  // runs what is left with fired = false, then joins
  RetryTimer(const RetryTimer&) = delete;
  RetryTimer& operator=(const RetryTimer&) = delete;

  // Returns the id to cancel with.
  uint64_t schedule(Clock::time_point when, Callback fn);
  // The callback runs at once (on the timer's thread) with fired = false;
  // unknown or already run ids are ignored.
  void cancel(uint64_t id);

 private:
  struct Entry {
    Clock::time_point when;
    Callback fn;
    bool cancelled = false;
  };
  void loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Entry> entries_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hyperion::plugins::grpc_client
