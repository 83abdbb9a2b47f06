#include "timers/timer_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace hyperion::timers {
namespace {

using namespace std::chrono_literals;

TEST(TimerService, OneShotAndPeriodic) {
  TimerService timers;
  std::promise<void> once;
  timers.start("a", 1ms, 0ms, [&] { once.set_value(); });
  EXPECT_EQ(once.get_future().wait_for(10s), std::future_status::ready);
  std::atomic<int> ticks{0};
  std::promise<void> three;
  uint64_t id = timers.start("a", 1ms, 1ms, [&] {
    if (++ticks == 3) three.set_value();
  });
  EXPECT_EQ(three.get_future().wait_for(10s), std::future_status::ready);
  timers.cancel(id);
  int after = ticks.load();
  // Cancel waited for any running callback: no tick can start after it returned.
  timers.start("a", 5ms, 0ms, [] {});
  std::promise<void> later;
  timers.start("a", 20ms, 0ms, [&] { later.set_value(); });
  later.get_future().wait();
  EXPECT_EQ(ticks.load(), after);
}

TEST(TimerService, CancelAllByOwnerAndFromInsideACallback) {
  TimerService timers;
  std::atomic<int> calls{0};
  timers.start("owner", 10s, 0ms, [&] { ++calls; });
  timers.cancel_all("owner");
  std::promise<uint64_t> id;
  std::shared_future<uint64_t> own_id = id.get_future().share();
  std::promise<void> done;
  id.set_value(timers.start("self", 1ms, 1ms, [&] {
    timers.cancel(own_id.get());  // from inside its own callback: must not deadlock
    done.set_value();
  }));
  EXPECT_EQ(done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(calls.load(), 0);
}

}  // namespace
}  // namespace hyperion::timers
