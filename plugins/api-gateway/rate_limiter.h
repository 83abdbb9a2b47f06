// RateLimiter: token buckets per key (a client address, a token's subject, a
// header value), refilled at `rps` up to `burst`. Memory is bounded: each of
// the 16 shards keeps at most max_keys/16 buckets and, when full, forgets its
// least recently used one — an idle bucket is full anyway, so forgetting it
// changes nothing; a key that comes back starts with a full burst.
// The settings can change under traffic (a reload): buckets keep their level,
// capped at the new burst.
// Thread-safety: take() from any thread; keys in different shards never wait
// on each other.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hyperion::plugins::api_gateway {

struct RateLimit {
  double rps = 0;
  double burst = 0;
  size_t max_keys = 100000;
  bool operator==(const RateLimit&) const = default;
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(RateLimit limit) : limit_(std::make_shared<const RateLimit>(limit)) {}

  struct Decision {
    bool allowed = false;
    double remaining = 0;                      // whole tokens left after this request
    std::chrono::milliseconds retry_after{0};  // when refused: until one token is back
    std::chrono::milliseconds reset{0};        // until the bucket is full again
    double burst = 0;                          // the limit this decision was taken under
  };
  Decision take(std::string_view key, Clock::time_point now = Clock::now());

  void set_limit(RateLimit limit) { limit_.store(std::make_shared<const RateLimit>(limit)); }
  [[nodiscard]] size_t keys() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
    std::list<std::string>::iterator lru;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    std::list<std::string> lru;  // most recent first
  };
  static constexpr size_t kShards = 16;
  std::atomic<std::shared_ptr<const RateLimit>> limit_;
  std::array<Shard, kShards> shards_;
};

}  // namespace hyperion::plugins::api_gateway
