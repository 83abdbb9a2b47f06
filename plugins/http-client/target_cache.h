// TargetCache: what the start of a URL ("http://host:port", "discovery://users")
// says — the origin, its connection-pool key, "host:port", the service — parsed
// once per distinct start instead of on every call; the rest of the URL is the
// request's path. Bounded: once kMaxEntries starts are kept (a client calling
// ever new hosts), a new one is parsed on each call and not kept.
// Thread-safety: resolve() may run on many threads at once.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "connection_pool.h"

namespace hyperion::plugins::http_client {

struct Target {
  Origin origin;          // for discovery://, only `https` (each attempt picks the host)
  std::string pool_key;   // origin.key()
  std::string host_port;  // "host:port"
  std::string service;    // discovery://<service>/...; else empty
};

class TargetCache {
 public:
  static constexpr size_t kMaxEntries = 1024;

  // The target of `url`, valid as long as the cache (or, when not kept, as
  // `scratch`), and in `path` what follows it; nullptr with `error` (naming the
  // URL) when the URL cannot be called.
  const Target* resolve(std::string_view url, Target& scratch, std::string_view& path, std::string& error);

  [[nodiscard]] size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<const Target>, std::less<>> targets_;
};

}  // namespace hyperion::plugins::http_client
