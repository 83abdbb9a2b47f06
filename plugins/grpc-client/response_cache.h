// ResponseCache: the answers of methods configured with `cache_ttl_ms`, kept
// for that long (seed 004's method caching). Only OK answers are kept; a key
// is the method, the request bytes and the caller's metadata (trace headers
// aside), so two callers sending different metadata never share an answer.
// Bounded: at `max_entries`, the expired entries go first, then the oldest.
// Thread-safety: every member, any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hyperion::plugins::grpc_client {

class ResponseCache {
 public:
  using Clock = std::chrono::steady_clock;

  // The key of a call: method, metadata (without traceparent/tracestate, in
  // the order given) and request bytes, each length-prefixed.
  static std::string key(std::string_view method, const std::vector<std::pair<std::string, std::string>>& metadata,
                         std::string_view request);

  // The answer stored under `key`, unless it expired by `now`.
  std::optional<std::string> get(const std::string& key, Clock::time_point now);
  void put(const std::string& key, std::string response, Clock::time_point expires, size_t max_entries);
  [[nodiscard]] size_t size() const;

 private:
  struct Entry {
    std::string response;
    Clock::time_point expires;
    std::list<std::string>::iterator order;  // where the key is in oldest_
  };
  void erase(std::unordered_map<std::string, Entry>::iterator it);

  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> oldest_;  // keys, oldest put first
};

}  // namespace hyperion::plugins::grpc_client
