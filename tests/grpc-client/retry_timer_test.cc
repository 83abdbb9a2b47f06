// The grpc-client plugin's RetryTimer alone (plain C++, no gRPC: it runs under
// TSan, where the gRPC suites cannot): waits fire in time order, a cancel runs
// the callback at once with fired = false, a callback may schedule again, and
// destruction ends what is left with fired = false.
#include "retry_timer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

namespace hyperion::plugins::grpc_client {
namespace {

using namespace std::chrono_literals;

TEST(RetryTimer, FiresInTimeOrderAndCancelsAtOnce) {
  RetryTimer timer;
  std::mutex mu;
  std::vector<std::string> order;
  std::promise<void> all;
  std::atomic<int> left{3};
  auto note = [&](const std::string& what) {
    return [&, what](bool fired) {
      {
        std::lock_guard lock(mu);
        order.push_back(what + (fired ? ":fired" : ":cancelled"));
      }
      if (--left == 0) all.set_value();
    };
  };
  const auto now = RetryTimer::Clock::now();
  timer.schedule(now + 60ms, note("late"));
  timer.schedule(now + 20ms, note("early"));
  const uint64_t never = timer.schedule(now + 10s, note("long"));
  timer.cancel(never);
  ASSERT_EQ(all.get_future().wait_for(5s), std::future_status::ready);
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<std::string>{"long:cancelled", "early:fired", "late:fired"}));
}

TEST(RetryTimer, ACallbackMayScheduleAgainAndDestructionEndsTheRest) {
  std::atomic<int> fired{0}, cancelled{0};
  {
    RetryTimer timer;
    std::promise<void> again;
    timer.schedule(RetryTimer::Clock::now(), [&](bool) {
      timer.schedule(RetryTimer::Clock::now() + 1ms, [&](bool f) {
        (f ? fired : cancelled)++;
        again.set_value();
      });
    });
    ASSERT_EQ(again.get_future().wait_for(5s), std::future_status::ready);
    for (int i = 0; i < 5; ++i) {
      timer.schedule(RetryTimer::Clock::now() + 1h, [&](bool f) { (f ? fired : cancelled)++; });
    }
    timer.cancel(987654);  // unknown: ignored
  }
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(cancelled, 5) << "the timer's end runs every wait left, not fired";
}

}  // namespace
}  // namespace hyperion::plugins::grpc_client
