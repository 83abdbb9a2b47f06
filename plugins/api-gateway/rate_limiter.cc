#include "rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace hyperion::plugins::api_gateway {

RateLimiter::Decision RateLimiter::take(std::string_view key, Clock::time_point now) {
  const std::shared_ptr<const RateLimit> limit = limit_.load();
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  const size_t capacity = std::max<size_t>(1, limit->max_keys / kShards);
  std::lock_guard lock(shard.mu);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    while (shard.buckets.size() >= capacity) {
      shard.buckets.erase(shard.lru.back());
      shard.lru.pop_back();
    }
    shard.lru.emplace_front(key);
    it = shard.buckets.emplace(std::string(key), Bucket{limit->burst, now, shard.lru.begin()}).first;
  } else {
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second.lru);
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(limit->burst, b.tokens + std::max(0.0, elapsed) * limit->rps);
  b.updated = now;
  Decision d;
  d.burst = limit->burst;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    d.allowed = true;
  } else if (limit->rps > 0) {
    d.retry_after = std::chrono::milliseconds(static_cast<int64_t>(std::ceil((1 - b.tokens) / limit->rps * 1000)));
  } else {
    d.retry_after = std::chrono::hours(1);  // rps 0: closed
  }
  d.remaining = std::floor(b.tokens);
  d.reset =
      limit->rps > 0
          ? std::chrono::milliseconds(static_cast<int64_t>(std::ceil((limit->burst - b.tokens) / limit->rps * 1000)))
          : std::chrono::milliseconds(0);
  return d;
}

size_t RateLimiter::keys() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.buckets.size();
  }
  return n;
}

}  // namespace hyperion::plugins::api_gateway
