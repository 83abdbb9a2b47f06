// The grpc-client's ResponseCache alone: keys, expiry, and the bound.
#include "response_cache.h"

#include <gtest/gtest.h>

namespace hyperion::plugins::grpc_client {
namespace {

using namespace std::chrono_literals;
using Clock = ResponseCache::Clock;

TEST(ResponseCache, KeysIgnoreTraceHeadersButNotOtherMetadata) {
  const std::string plain = ResponseCache::key("/p.S/M", {{"x-tenant", "1"}}, "req");
  EXPECT_EQ(
      ResponseCache::key("/p.S/M", {{"traceparent", "00-a-b-01"}, {"x-tenant", "1"}, {"tracestate", "k=v"}}, "req"),
      plain);
  EXPECT_NE(ResponseCache::key("/p.S/M", {{"x-tenant", "2"}}, "req"), plain);
  EXPECT_NE(ResponseCache::key("/p.S/N", {{"x-tenant", "1"}}, "req"), plain);
  EXPECT_NE(ResponseCache::key("/p.S/M", {{"x-tenant", "1"}}, "reQ"), plain);
  // Length prefixes: moving bytes between fields never makes the same key.
  EXPECT_NE(ResponseCache::key("/p.S/M", {{"ab", "c"}}, ""), ResponseCache::key("/p.S/M", {{"a", "bc"}}, ""));
}

TEST(ResponseCache, AnswersUntilExpiry) {
  ResponseCache cache;
  const auto now = Clock::now();
  cache.put("k", "answer", now + 100ms, 10);
  EXPECT_EQ(cache.get("k", now), "answer");
  EXPECT_EQ(cache.get("k", now + 99ms), "answer");
  EXPECT_FALSE(cache.get("k", now + 100ms));
  EXPECT_EQ(cache.size(), 0u);  // an expired entry found is dropped
  EXPECT_FALSE(cache.get("other", now));
}

TEST(ResponseCache, AtTheBoundTheExpiredGoFirstThenTheOldest) {
  ResponseCache cache;
  const auto now = Clock::now();
  cache.put("old-expired", "1", now - 1ms, 3);
  cache.put("a", "2", now + 1h, 3);
  cache.put("b", "3", now + 1h, 3);
  cache.put("c", "4", now + 1h, 3);  // full: the expired one goes
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.get("a", now), "2");
  cache.put("d", "5", now + 1h, 3);  // full, none expired: the oldest ("a") goes
  EXPECT_FALSE(cache.get("a", now));
  EXPECT_EQ(cache.get("b", now), "3");
  EXPECT_EQ(cache.get("d", now), "5");
  cache.put("b", "6", now + 1h, 3);  // a new answer replaces, and is now the newest
  EXPECT_EQ(cache.get("b", now), "6");
  EXPECT_EQ(cache.size(), 3u);
}

}  // namespace
}  // namespace hyperion::plugins::grpc_client
