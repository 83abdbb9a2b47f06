// BackgroundQueue: in order, in batches, flush waits, destruction drains.
#include "base/background_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace hyperion {
namespace {

TEST(BackgroundQueue, ProcessesEveryItemInOrderAndFlushWaitsForThem) {
  std::mutex mu;
  std::vector<int> seen;
  std::atomic<bool> on_worker{false};
  BackgroundQueue<int>* self = nullptr;
  BackgroundQueue<int> queue([&](std::vector<int>& batch) {
    on_worker = self->on_worker();
    std::lock_guard lock(mu);
    seen.insert(seen.end(), batch.begin(), batch.end());
  });
  self = &queue;
  EXPECT_FALSE(queue.on_worker());
  for (int i = 0; i < 1000; ++i) queue.push(i);
  queue.flush();
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(seen[static_cast<size_t>(i)], i);
  EXPECT_TRUE(on_worker.load());
}

TEST(BackgroundQueue, DestructionProcessesWhatIsStillQueued) {
  std::atomic<int> processed{0};
  {
    BackgroundQueue<int> queue([&](std::vector<int>& batch) {
      std::this_thread::yield();
      processed += static_cast<int>(batch.size());
    });
    for (int i = 0; i < 100; ++i) queue.push(i);
  }
  EXPECT_EQ(processed.load(), 100);
}

TEST(BackgroundQueue, FlushWithNothingQueuedReturnsAndNoThreadStarts) {
  BackgroundQueue<int> queue([](std::vector<int>&) {});
  queue.flush();
  EXPECT_FALSE(queue.on_worker());
}

}  // namespace
}  // namespace hyperion
