// CallRunner: runs calls into plugin code on worker threads and waits for each
// at most until its deadline. A call that does not return in time is reported
// as hung; its worker is left to it (the thread is never killed — plugin code
// cannot be interrupted safely) and the caller moves on. Idle workers are reused,
// so a call costs a hand-off, not a thread creation.
// Thread-safety: run() may be called from any thread, concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace hyperion::lifecycle {

class CallRunner {
 public:
  enum class Outcome { kReturned, kHung };

  CallRunner() = default;
  ~CallRunner();  // joins idle workers; detaches workers stuck in hung calls
  CallRunner(const CallRunner&) = delete;
  CallRunner& operator=(const CallRunner&) = delete;

  // Runs `fn` and waits until it returns or `deadline` passes.
  Outcome run(std::function<void()> fn, std::chrono::steady_clock::time_point deadline);
  // Runs every call at once, each on its own worker, and waits for each until
  // its own deadline. Returns one outcome per call, in order.
  std::vector<Outcome> run_all(std::vector<std::function<void()>> fns,
                               const std::vector<std::chrono::steady_clock::time_point>& deadlines);

  // Calls that passed their deadline and have not returned yet.
  [[nodiscard]] size_t hung_calls() const;

 private:
  struct Call;
  struct Worker;
  // Shared with the workers, so a worker detached inside a hung call can still
  // finish safely after the CallRunner is gone.
  struct Pool;
  static void worker_loop(const std::shared_ptr<Pool>& pool, const std::shared_ptr<Worker>& worker);
  // `spin_after`: the worker spins for a next call once this one returns (a
  // lifecycle makes calls in a row); run_all's calls do not.
  std::shared_ptr<Call> submit(std::function<void()> fn, bool spin_after = true);
  Outcome await(const std::shared_ptr<Call>& call, std::chrono::steady_clock::time_point deadline, bool spin);

  std::shared_ptr<Pool> pool_ = make_pool();
  static std::shared_ptr<Pool> make_pool();
};

}  // namespace hyperion::lifecycle
