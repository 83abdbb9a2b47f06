#include "lifecycle/call_runner.h"

#include <atomic>
#include <thread>

namespace hyperion::lifecycle {
namespace {

// How long each side spins before sleeping. Most plugin calls return in
// microseconds; a futex sleep and wake-up costs tens of them on a small VM, and
// a lifecycle makes several calls in a row, so a short spin on both sides turns
// most hand-offs into a few cache-line transfers. Bounded, so a slow call costs
// at most this much CPU before both sides sleep.
constexpr auto kSpin = std::chrono::microseconds(50);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

template <typename Ready>
bool spin_until(Ready&& ready) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  do {
    for (int i = 0; i < 64; ++i) {
      if (ready()) return true;
      cpu_relax();
    }
  } while (std::chrono::steady_clock::now() < until);
  return ready();
}

}  // namespace

// One call: its function and how it ended. Shared by the caller and the worker,
// so a caller that gave up (hung) and a worker that finishes late never touch
// freed memory.
struct CallRunner::Call {
  std::function<void()> fn;
  bool spin_after = true;  // set before the worker sees the call
  std::atomic<bool> done{false};
  std::mutex mu;
  std::condition_variable cv;
  bool caller_waiting = false;  // guarded by mu
  bool abandoned = false;       // guarded by mu
};

struct CallRunner::Worker {
  std::thread thread;
  std::mutex mu;
  std::condition_variable cv;
  std::shared_ptr<Call> call;          // guarded by mu
  std::atomic<bool> has_call{false};
  bool sleeping = false;               // guarded by mu
  bool stop = false;                   // guarded by mu
};

struct CallRunner::Pool {
  std::mutex mu;
  std::vector<std::shared_ptr<Worker>> idle;  // guarded by mu
  std::vector<std::shared_ptr<Worker>> all;   // guarded by mu
  bool stopping = false;                      // guarded by mu
  std::atomic<size_t> hung{0};
};

std::shared_ptr<CallRunner::Pool> CallRunner::make_pool() { return std::make_shared<Pool>(); }

CallRunner::~CallRunner() {
  std::vector<std::shared_ptr<Worker>> workers;
  {
    std::lock_guard lock(pool_->mu);
    pool_->stopping = true;
    workers = pool_->all;
  }
  for (auto& w : workers) {
    bool busy;
    {
      std::lock_guard lock(w->mu);
      w->stop = true;
      busy = w->has_call.load() || !w->sleeping;
      w->cv.notify_all();
    }
    // A worker inside a call that never returned must not be waited for; one
    // that is merely spinning or finishing will see `stop` and exit on its own.
    if (busy) w->thread.detach();
    else w->thread.join();
  }
}

void CallRunner::worker_loop(const std::shared_ptr<Pool>& pool, const std::shared_ptr<Worker>& w) {
  bool spin = true;
  for (;;) {
    // After one of many calls run side by side (a health round over every
    // instance) no next call is coming to this worker: spinning would only
    // burn the CPU the other calls need (500 workers x 50 us a round).
    if (spin) spin_until([&] { return w->has_call.load(std::memory_order_acquire); });
    std::shared_ptr<Call> call;
    {
      std::unique_lock lock(w->mu);
      if (!w->has_call.load()) {
        if (w->stop) return;
        w->sleeping = true;
        w->cv.wait(lock, [&] { return w->has_call.load() || w->stop; });
        w->sleeping = false;
        if (!w->has_call.load()) return;
      }
      call = std::move(w->call);
      w->has_call.store(false);
    }
    try {
      call->fn();
    } catch (...) {
      // Tasks catch what plugin code throws (plugin_instance.cc); this is the
      // last line, so an escaped exception never ends the host from a worker.
    }
    call->fn = nullptr;  // release captures before anyone is told
    spin = call->spin_after;
    {
      // Back in the pool before the caller learns the call returned, so the
      // caller's next call finds this (hot) worker instead of starting a thread.
      std::lock_guard lock(pool->mu);
      if (!pool->stopping) pool->idle.push_back(w);
    }
    {
      std::lock_guard lock(call->mu);
      call->done.store(true, std::memory_order_release);
      if (call->abandoned) --pool->hung;
      if (call->caller_waiting) call->cv.notify_one();
    }
    std::lock_guard lock(w->mu);
    if (w->stop) return;
  }
}

std::shared_ptr<CallRunner::Call> CallRunner::submit(std::function<void()> fn, bool spin_after) {
  auto call = std::make_shared<Call>();
  call->fn = std::move(fn);
  call->spin_after = spin_after;
  std::shared_ptr<Worker> w;
  bool fresh = false;
  {
    std::lock_guard lock(pool_->mu);
    if (!pool_->idle.empty()) {
      w = pool_->idle.back();
      pool_->idle.pop_back();
    } else {
      w = std::make_shared<Worker>();
      pool_->all.push_back(w);
      fresh = true;
    }
  }
  {
    std::lock_guard lock(w->mu);
    w->call = call;
    w->has_call.store(true, std::memory_order_release);
    if (w->sleeping) w->cv.notify_one();
  }
  if (fresh) w->thread = std::thread([pool = pool_, w] { worker_loop(pool, w); });
  return call;
}

CallRunner::Outcome CallRunner::await(const std::shared_ptr<Call>& call, std::chrono::steady_clock::time_point deadline,
                                      bool spin) {
  if (spin && spin_until([&] { return call->done.load(std::memory_order_acquire); })) return Outcome::kReturned;
  std::unique_lock lock(call->mu);
  call->caller_waiting = true;
  if (!call->cv.wait_until(lock, deadline, [&] { return call->done.load(); })) {
    call->abandoned = true;
    ++pool_->hung;
    return Outcome::kHung;
  }
  return Outcome::kReturned;
}

CallRunner::Outcome CallRunner::run(std::function<void()> fn, std::chrono::steady_clock::time_point deadline) {
  return await(submit(std::move(fn)), deadline, true);
}

std::vector<CallRunner::Outcome> CallRunner::run_all(std::vector<std::function<void()>> fns,
                                                     const std::vector<std::chrono::steady_clock::time_point>& deadlines) {
  std::vector<std::shared_ptr<Call>> calls;
  calls.reserve(fns.size());
  for (auto& fn : fns) calls.push_back(submit(std::move(fn), fns.size() == 1));
  std::vector<Outcome> out;
  out.reserve(calls.size());
  for (size_t i = 0; i < calls.size(); ++i) out.push_back(await(calls[i], deadlines[i], false));
  return out;
}

size_t CallRunner::hung_calls() const { return pool_->hung.load(); }

}  // namespace hyperion::lifecycle
