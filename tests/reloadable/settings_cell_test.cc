#include "settings_cell.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace hyperion::plugins::reloadable {
namespace {

// Two fields that a publisher always writes equal: a torn read would see them differ.
struct Pair {
  long a = 0;
  long b = 0;
};

TEST(SettingsCell, ReadersNeverSeeAHalfWrittenValue) {
  SettingsCell<Pair> cell(Pair{0, 0});
  std::atomic<bool> done{false};
  std::atomic<long> reads{0};
  std::atomic<int> reading{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      long last = 0;
      bool counted = false;
      while (!done.load()) {
        if (!counted) {
          counted = true;
          ++reading;
        }
        Pair p = cell.read([](const Pair& v) { return v; });
        ASSERT_EQ(p.a, p.b);
        ASSERT_GE(p.a, last);  // never goes back in time
        last = p.a;
        ++reads;
      }
    });
  }
  // Every reader is reading before the first publish, so the race really happens.
  while (reading.load() < 3) std::this_thread::yield();
  for (long i = 1; i <= 20000; ++i) cell.publish(Pair{i, i});
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(cell.read([](const Pair& v) { return v.a; }), 20000);
  EXPECT_GT(reads.load(), 0);
}

}  // namespace
}  // namespace hyperion::plugins::reloadable
