#include "lifecycle/call_runner.h"

#include <thread>

namespace hyperion::lifecycle {

struct CallRunner::Worker {
  std::thread thread;
  std::condition_variable cv;       // signals a new task or shutdown
  std::condition_variable done_cv;  // signals the task finished
  std::function<void()> task;
  bool has_task = false;
  bool done = false;
  bool abandoned = false;  // the caller gave up waiting (hung)
  bool stop = false;
};

struct CallRunner::Pool {
  std::mutex mu;
  std::vector<std::shared_ptr<Worker>> idle;
  std::vector<std::shared_ptr<Worker>> all;
  size_t hung = 0;
};

std::shared_ptr<CallRunner::Pool> CallRunner::make_pool() { return std::make_shared<Pool>(); }

CallRunner::~CallRunner() {
  std::vector<std::shared_ptr<Worker>> workers;
  {
    std::lock_guard lock(pool_->mu);
    workers = pool_->all;
    for (auto& w : workers) {
      w->stop = true;
      w->cv.notify_all();
    }
  }
  for (auto& w : workers) {
    bool busy;
    {
      std::lock_guard lock(pool_->mu);
      busy = w->has_task;
    }
    if (busy) w->thread.detach();  // inside a hung call: it may never return
    else w->thread.join();
  }
}

void CallRunner::worker_loop(const std::shared_ptr<Pool>& pool, const std::shared_ptr<Worker>& w) {
  std::unique_lock lock(pool->mu);
  for (;;) {
    w->cv.wait(lock, [&] { return w->has_task || w->stop; });
    if (!w->has_task) return;
    std::function<void()> task = std::move(w->task);
    lock.unlock();
    task();
    task = nullptr;  // release captures outside the lock
    lock.lock();
    w->has_task = false;
    w->done = true;
    if (w->abandoned) {
      w->abandoned = false;
      --pool->hung;
    }
    w->done_cv.notify_all();
    if (w->stop) return;
    pool->idle.push_back(w);
  }
}

CallRunner::Outcome CallRunner::run(std::function<void()> fn, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(pool_->mu);
  std::shared_ptr<Worker> w;
  if (!pool_->idle.empty()) {
    w = pool_->idle.back();
    pool_->idle.pop_back();
  } else {
    w = std::make_shared<Worker>();
    pool_->all.push_back(w);
    w->thread = std::thread([pool = pool_, w] { worker_loop(pool, w); });
  }
  w->task = std::move(fn);
  w->has_task = true;
  w->done = false;
  w->cv.notify_one();
  if (!w->done_cv.wait_until(lock, deadline, [&] { return w->done; })) {
    w->abandoned = true;
    ++pool_->hung;
    return Outcome::kHung;
  }
  return Outcome::kReturned;
}

size_t CallRunner::hung_calls() const {
  std::lock_guard lock(pool_->mu);
  return pool_->hung;
}

}  // namespace hyperion::lifecycle
