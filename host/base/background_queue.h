// BackgroundQueue: items handed to one worker thread, which processes them in
// order, in batches (everything queued since its last batch). Used where the
// caller must not wait on slow work: the event bus's deliveries, the state
// store's writes. The worker starts with the first item; flush() waits until
// everything queued so far is processed; the destructor processes what is
// still queued, then joins.
// Thread-safety: push() and flush() from any thread; `process` runs only on the
// worker, never concurrently with itself. flush() must not be called from
// `process` (it would wait on itself).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace hyperion {

template <class Item>
class BackgroundQueue {
 public:
  using Process = std::function<void(std::vector<Item>& batch)>;

  explicit BackgroundQueue(Process process) : process_(std::move(process)) {}
  ~BackgroundQueue() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
  }
  BackgroundQueue(const BackgroundQueue&) = delete;
  BackgroundQueue& operator=(const BackgroundQueue&) = delete;

  void push(Item item) {
    std::lock_guard lock(mu_);
    if (!worker_.joinable()) worker_ = std::thread([this] { run(); });
    items_.push_back(std::move(item));
    wake_.notify_all();
  }

  // Waits until every item pushed before the call has been processed.
  void flush() {
    std::unique_lock lock(mu_);
    idle_.wait(lock, [&] { return items_.empty() && !processing_; });
  }

  // Whether the caller is the worker (inside `process`).
  [[nodiscard]] bool on_worker() const { return std::this_thread::get_id() == worker_id_.load(); }

 private:
  void run() {
    std::unique_lock lock(mu_);
    worker_id_ = std::this_thread::get_id();
    for (;;) {
      wake_.wait(lock, [&] { return stopping_ || !items_.empty(); });
      if (items_.empty()) return;  // stopping, and nothing left
      std::vector<Item> batch;
      batch.swap(items_);
      processing_ = true;
      lock.unlock();
      process_(batch);
      lock.lock();
      processing_ = false;
      idle_.notify_all();
    }
  }

  Process process_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::vector<Item> items_;
  bool processing_ = false;
  bool stopping_ = false;
  std::atomic<std::thread::id> worker_id_{};
  std::thread worker_;
};

}  // namespace hyperion
