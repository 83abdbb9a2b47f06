// OperationGate: lets one host operation (start, reload, stop) run at a time.
// Once stopping has begun, operations still waiting give up instead of
// queueing behind the stop — a plugin proposing config from a timer that stop()
// is about to cancel must not keep stop() waiting for it (a deadlock).
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace hyperion {

class OperationGate {
 public:
  // Waits for the gate. Returns false (without entering) when stopping has
  // begun, unless `even_if_stopping`.
  bool enter(bool even_if_stopping = false) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !busy_ || (stopping_ && !even_if_stopping); });
    if (stopping_ && !even_if_stopping) return false;
    busy_ = true;
    return true;
  }
  // Like enter(), and also gives up (false) once `give_up` holds; wake() makes
  // waiters look at it again. For a proposal whose own instance is being
  // stopped by the operation inside the gate: waiting would deadlock.
  bool enter_unless(const std::atomic<bool>& give_up) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !busy_ || stopping_ || give_up.load(); });
    if (stopping_ || give_up.load()) return false;
    busy_ = true;
    return true;
  }
  void wake() {
    { std::lock_guard lock(mu_); }
    cv_.notify_all();
  }
  // Enters only if the gate is free right now (and stopping has not begun).
  bool try_enter() {
    std::lock_guard lock(mu_);
    if (busy_ || stopping_) return false;
    busy_ = true;
    return true;
  }
  void leave() {
    {
      std::lock_guard lock(mu_);
      busy_ = false;
    }
    cv_.notify_all();
  }
  void begin_stopping() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool busy_ = false;
  bool stopping_ = false;
};

// Enters a gate for a scope.
class GateGuard {
 public:
  GateGuard(OperationGate& gate, bool even_if_stopping = false) : gate_(gate), entered_(gate.enter(even_if_stopping)) {}
  // Enters unless `give_up` turns true first (then entered() is false); a null
  // `give_up` waits like enter(). (Not a bool: a pointer would convert to one.)
  GateGuard(OperationGate& gate, const std::atomic<bool>* give_up)
      : gate_(gate), entered_(give_up != nullptr ? gate.enter_unless(*give_up) : gate.enter()) {}
  ~GateGuard() {
    if (entered_) gate_.leave();
  }
  GateGuard(const GateGuard&) = delete;
  GateGuard& operator=(const GateGuard&) = delete;
  [[nodiscard]] bool entered() const { return entered_; }

 private:
  OperationGate& gate_;
  bool entered_;
};

}  // namespace hyperion
