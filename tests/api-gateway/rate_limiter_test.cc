// Token buckets on a clock the test moves: refill, burst, Retry-After, bounded
// keys, and settings changed under traffic.
#include "rate_limiter.h"

#include <gtest/gtest.h>

namespace hyperion::plugins::api_gateway {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

TEST(RateLimiter, BurstThenRefillAtTheRate) {
  RateLimiter limiter({.rps = 5, .burst = 10});
  const Clock::time_point t0 = Clock::now();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.take("a", t0).allowed) << i;
  auto refused = limiter.take("a", t0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 200ms) << "one token comes back in 1/5 s";
  EXPECT_EQ(refused.reset, 2000ms) << "the bucket is full again in 10/5 s";
  EXPECT_TRUE(limiter.take("b", t0).allowed) << "another key has its own bucket";
  EXPECT_FALSE(limiter.take("a", t0 + 199ms).allowed);
  EXPECT_TRUE(limiter.take("a", t0 + 400ms).allowed);
  // Long idle: capped at the burst, never more.
  int allowed = 0;
  for (int i = 0; i < 20; ++i) allowed += limiter.take("a", t0 + 1h).allowed ? 1 : 0;
  EXPECT_EQ(allowed, 10);
}

TEST(RateLimiter, KeysAreBoundedByForgettingTheLeastRecentlyUsed) {
  RateLimiter limiter({.rps = 1, .burst = 1, .max_keys = 16});  // one per shard
  const Clock::time_point t0 = Clock::now();
  for (int i = 0; i < 10000; ++i) (void)limiter.take("client-" + std::to_string(i), t0);
  EXPECT_LE(limiter.keys(), 16u);
}

TEST(RateLimiter, NewSettingsApplyToTheBucketsInPlace) {
  RateLimiter limiter({.rps = 1, .burst = 5});
  const Clock::time_point t0 = Clock::now();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.take("a", t0).allowed);
  EXPECT_FALSE(limiter.take("a", t0).allowed) << "empty";
  limiter.set_limit({.rps = 100, .burst = 2});
  EXPECT_FALSE(limiter.take("a", t0).allowed) << "a reload does not refill a bucket";
  EXPECT_TRUE(limiter.take("a", t0 + 10ms).allowed) << "the new rate refills it";
  limiter.set_limit({.rps = 0, .burst = 1});
  auto closed = limiter.take("z", t0);
  EXPECT_TRUE(closed.allowed) << "a new key starts with its burst";
  EXPECT_FALSE(limiter.take("z", t0 + 1h).allowed) << "rps 0 never refills";
}

}  // namespace
}  // namespace hyperion::plugins::api_gateway
