#include "lifecycle/call_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace hyperion::lifecycle {
namespace {

using namespace std::chrono_literals;

TEST(CallRunner, ReturnsWhenTheCallReturns) {
  CallRunner runner;
  int value = 0;
  EXPECT_EQ(runner.run([&] { value = 7; }, std::chrono::steady_clock::now() + 5s), CallRunner::Outcome::kReturned);
  EXPECT_EQ(value, 7);
}

TEST(CallRunner, ReportsAHungCallAndReusesNothingStuck) {
  CallRunner runner;
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  auto outcome = runner.run([gate] { gate.wait(); }, std::chrono::steady_clock::now() + 50ms);
  EXPECT_EQ(outcome, CallRunner::Outcome::kHung);
  EXPECT_EQ(runner.hung_calls(), 1u);
  // Another call still runs, on another worker.
  std::atomic<bool> ran{false};
  EXPECT_EQ(runner.run([&] { ran = true; }, std::chrono::steady_clock::now() + 5s), CallRunner::Outcome::kReturned);
  EXPECT_TRUE(ran);
  release.set_value();
  // Once the hung call returns it is no longer counted.
  for (int i = 0; i < 500 && runner.hung_calls() != 0; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(runner.hung_calls(), 0u);
}

TEST(CallRunner, ManySequentialCallsReuseWorkers) {
  CallRunner runner;
  int sum = 0;
  for (int i = 0; i < 1000; ++i) runner.run([&] { ++sum; }, std::chrono::steady_clock::now() + 5s);
  EXPECT_EQ(sum, 1000);
}

TEST(CallRunner, DestroyedWhileACallIsHung) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  {
    CallRunner runner;
    EXPECT_EQ(runner.run([gate] { gate.wait(); }, std::chrono::steady_clock::now() + 20ms), CallRunner::Outcome::kHung);
  }
  release.set_value();  // the detached worker finishes safely after its runner is gone
}

}  // namespace
}  // namespace hyperion::lifecycle
