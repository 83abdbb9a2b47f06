// CallingLoop: what the swap tests' consumer plugins do — call a provider in a
// loop on their own thread, count what failed, and say so in health — so a test
// can prove a swap under them lost no call and never restarted them.
#pragma once

#include <hyperion/plugin.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace swap_test {

class CallingLoop {
 public:
  // `call` returns an empty string on success, else why it failed.
  void start(std::function<std::string()> call) {
    caller_ = std::thread([this, call = std::move(call)] {
      while (!stopping_.load()) {
        std::string failure = call();
        if (failure.empty()) {
          calls_.fetch_add(1);
        } else {
          failures_.fetch_add(1);
          std::lock_guard lock(mu_);
          if (first_failure_.empty()) first_failure_ = failure;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  }
  void stop() {
    stopping_ = true;
    if (caller_.joinable()) caller_.join();
  }
  ~CallingLoop() { stop(); }

  hyperion::HealthReport health() {
    hyperion::HealthReport r;
    r.details["calls"] = calls_.load();
    r.details["failures"] = failures_.load();
    r.details["started_at_ns"] = started_at_ns_;
    std::lock_guard lock(mu_);
    r.details["first_failure"] = first_failure_;
    if (failures_.load() > 0) r.status = hyperion::HealthStatus::kDegraded;
    return r;
  }

 private:
  std::thread caller_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> failures_{0};
  std::mutex mu_;
  std::string first_failure_;
  const int64_t started_at_ns_ = std::chrono::steady_clock::now().time_since_epoch().count();
};

}  // namespace swap_test
