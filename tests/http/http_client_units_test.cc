// The http-client plugin's pieces without a network: breaker, backoff,
// Retry-After, URLs, durations.
#include <gtest/gtest.h>

#include "circuit_breaker.h"
#include "client_settings.h"
#include "connection_pool.h"
#include "retry_policy.h"

namespace http_plugin {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(CircuitBreaker, OpensAfterThresholdWithinIntervalThenHalfOpensAndCloses) {
  BreakerSettings s;
  s.failure_threshold = 3;
  s.interval = 10s;
  s.timeout = 1s;
  s.max_requests = 2;
  CircuitBreaker b;
  auto t = Clock::time_point(1h);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(b.allow(s, t));
    b.record(s, false, t);
  }
  EXPECT_EQ(b.state(s, t), CircuitBreaker::State::kClosed);
  ASSERT_TRUE(b.allow(s, t));
  b.record(s, false, t);
  EXPECT_EQ(b.state(s, t), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(b.allow(s, t + 999ms));  // fails fast while open
  // After the timeout: half-open, max_requests (2) trials, no more.
  EXPECT_TRUE(b.allow(s, t + 1s));
  EXPECT_EQ(b.state(s, t + 1s), CircuitBreaker::State::kHalfOpen);
  EXPECT_TRUE(b.allow(s, t + 1s));
  EXPECT_FALSE(b.allow(s, t + 1s));
  b.record(s, true, t + 1s);
  EXPECT_EQ(b.state(s, t + 1s), CircuitBreaker::State::kHalfOpen);
  b.record(s, true, t + 1s);
  EXPECT_EQ(b.state(s, t + 1s), CircuitBreaker::State::kClosed);
}

TEST(CircuitBreaker, AFailedTrialOpensItAgain) {
  BreakerSettings s;
  s.failure_threshold = 1;
  s.timeout = 1s;
  CircuitBreaker b;
  auto t = Clock::time_point(1h);
  b.allow(s, t);
  b.record(s, false, t);
  ASSERT_TRUE(b.allow(s, t + 1s));
  b.record(s, false, t + 1s);
  EXPECT_EQ(b.state(s, t + 1s), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(b.allow(s, t + 1500ms));  // a new full timeout from the failed trial
  EXPECT_TRUE(b.allow(s, t + 2s));
}

TEST(CircuitBreaker, FailuresInOldWindowsDoNotCount) {
  BreakerSettings s;
  s.failure_threshold = 2;
  s.interval = 1s;
  CircuitBreaker b;
  auto t = Clock::time_point(1h);
  b.allow(s, t);
  b.record(s, false, t);
  b.allow(s, t + 1500ms);
  b.record(s, false, t + 1500ms);  // the first failure's window is over
  EXPECT_EQ(b.state(s, t + 1500ms), CircuitBreaker::State::kClosed);
  s.enabled = false;
  for (int i = 0; i < 10; ++i) b.record(s, false, t + 1500ms);
  EXPECT_TRUE(b.allow(s, t + 1500ms));
}

TEST(RetryPolicy, BackoffGrowsWithFullJitterInsideTheBounds) {
  std::mt19937_64 rng(7);
  for (int retry = 0; retry < 12; ++retry) {
    for (int i = 0; i < 200; ++i) {
      Millis d = backoff(retry, 100ms, 2s, rng);
      EXPECT_GE(d, 100ms);
      EXPECT_LE(d, std::min<Millis>(2s, Millis(100 << std::min(retry, 10))));
    }
  }
  EXPECT_EQ(backoff(3, 50ms, 50ms, rng), 50ms);
}

TEST(RetryPolicy, WhatIsRetried) {
  EXPECT_TRUE(retryable_status(503));
  EXPECT_TRUE(retryable_status(429));
  EXPECT_TRUE(retryable_status(500));
  EXPECT_FALSE(retryable_status(501));
  EXPECT_FALSE(retryable_status(404));
  EXPECT_TRUE(idempotent_method("GET"));
  EXPECT_TRUE(idempotent_method("PUT"));
  EXPECT_FALSE(idempotent_method("POST"));
  EXPECT_FALSE(idempotent_method("PATCH"));
}

TEST(RetryPolicy, RetryAfterSecondsOrHttpDate) {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after("3", now), Millis(3000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), Millis(0));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), Millis(10000));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), Millis(0));
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("-1", now));
  EXPECT_FALSE(parse_retry_after("", now));
}

TEST(Urls, ParsedOrRefusedWithTheReason) {
  ParsedUrl u;
  std::string error;
  ASSERT_TRUE(parse_url("http://127.0.0.1:8500/v1/kv/app?recurse", u, error));
  EXPECT_EQ(u.origin.key(), "http://127.0.0.1:8500");
  EXPECT_EQ(u.path, "/v1/kv/app?recurse");
  ASSERT_TRUE(parse_url("https://example.com", u, error));
  EXPECT_EQ(u.origin.port, 443);
  EXPECT_EQ(u.path, "/");
  ASSERT_TRUE(parse_url("http://[::1]:9/x", u, error));
  EXPECT_EQ(u.origin.host, "::1");
  EXPECT_EQ(u.origin.port, 9);
  ASSERT_TRUE(parse_url("http://h?q=1", u, error));
  EXPECT_EQ(u.path, "/?q=1");
  EXPECT_FALSE(parse_url("ftp://h/", u, error));
  EXPECT_EQ(error, "url \"ftp://h/\" must start with http:// or https://");
  EXPECT_FALSE(parse_url("http://h:99999/", u, error));
  EXPECT_FALSE(parse_url("http://:80/", u, error));
  EXPECT_FALSE(parse_url("http://user:pw@h/", u, error));
}

TEST(Durations, Units) {
  EXPECT_EQ(parse_duration("250ms"), Millis(250));
  EXPECT_EQ(parse_duration("3s"), Millis(3000));
  EXPECT_EQ(parse_duration("2m"), Millis(120000));
  EXPECT_EQ(parse_duration("1h"), Millis(3600000));
  EXPECT_THROW(parse_duration("3"), std::invalid_argument);
  EXPECT_THROW(parse_duration("s"), std::invalid_argument);
  EXPECT_THROW(parse_duration("3d"), std::invalid_argument);
}

}  // namespace
}  // namespace http_plugin
