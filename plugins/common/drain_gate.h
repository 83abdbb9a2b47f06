// DrainGate: the calls a handler registration has in flight, so that removing
// the registration can wait for them (and cancel the stragglers). Shared by the
// grpc-server and http-server handler tables: both promise that unregistering
// drains with a deadline, which is what lets a handler plugin be swapped.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

namespace hyperion::plugins {

// Something the gate can cancel when the drain deadline comes near.
class Cancellable {
 public:
  // Asks the call to end soon; must not block and must not call back into the gate.
  virtual void cancel() = 0;

 protected:
  ~Cancellable() = default;
};

class DrainGate {
 public:
  // A call starts; false once the gate is closed (the call then must not run).
  bool begin(Cancellable* call);
  // The call is over (its last callback returned).
  void end(Cancellable* call);
  // No new call may begin; waits until none is in flight. Calls still running
  // shortly before `deadline` (a fifth of the time left, at most 100 ms) are
  // cancelled and get until `deadline` to end. Returns false when some were
  // still running at the deadline.
  bool close_and_drain(std::chrono::steady_clock::time_point deadline);
  [[nodiscard]] size_t in_flight() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable idle_;
  std::vector<Cancellable*> calls_;  // few at a time: a vector, no allocation per call
  bool closed_ = false;
};

}  // namespace hyperion::plugins
