#include "reload/reload_coalescer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

namespace hyperion::reload {
namespace {

TEST(ReloadCoalescer, ABurstOfTriggersRunsFewReloadsAndEveryCallerLearnsTheOutcome) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> running{0};
  std::atomic<int> max_parallel{0};
  std::atomic<uint64_t> counter{0};
  ReloadCoalescer coalescer([&](const std::string&, const std::string&) {
    int now = ++running;
    max_parallel = std::max(max_parallel.load(), now);
    gate.wait();
    --running;
    ReloadResult r;
    r.outcome = ReloadOutcome::kApplied;
    r.revision = ++counter;
    return r;
  });
  constexpr int kCallers = 20;
  std::vector<std::future<ReloadResult>> results;
  results.push_back(std::async(std::launch::async, [&] { return coalescer.run("first", ""); }));
  // Wait until the first reload is running, then pile the rest up behind it.
  while (running.load() == 0) std::this_thread::yield();
  for (int i = 1; i < kCallers; ++i) {
    results.push_back(std::async(std::launch::async, [&] { return coalescer.run("burst", ""); }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the burst queue up (not needed for correctness)
  release.set_value();
  std::set<uint64_t> revisions;
  for (auto& f : results) {
    ReloadResult r = f.get();
    EXPECT_EQ(r.outcome, ReloadOutcome::kApplied);
    revisions.insert(r.revision);
  }
  EXPECT_EQ(max_parallel.load(), 1);
  // The first trigger's reload, plus at most one for everything that queued behind it
  // (two if a straggler arrived after the pending one had started).
  EXPECT_LE(coalescer.reloads_run(), 3u);
  EXPECT_EQ(revisions.size(), coalescer.reloads_run());
}

}  // namespace
}  // namespace hyperion::reload
