// A key-value store the plugin follows: what it reads under the prefix, and the
// stream of changes after that. One implementation per backend (etcd's watch
// streams, Consul's blocking queries), so the plugin's logic is the same for both.
// Thread-safety: read() and follow() from one thread at a time; stop() and
// resume() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "stores/consul_client.h"
#include "stores/etcd_client.h"

namespace hyperion::plugins::consul_config {

struct KvSnapshot {
  int64_t index = 0;                       // the store's revision (etcd) or index (Consul)
  std::map<std::string, std::string> kvs;  // full key -> value
};

class KvSource {
 public:
  virtual ~KvSource() = default;
  // "etcd:hyperion/shop": the source name revisions and /v1/config show.
  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual std::string endpoint() const = 0;
  // Everything under the prefix now. Throws std::runtime_error saying why.
  virtual KvSnapshot read() = 0;
  // Follows the changes after `current` and calls `on_change` with each new full
  // snapshot (also updating `current`), until stop() (returns "") or the stream
  // ends (returns why). After an end, read() again and follow from that read:
  // a stream may end because what it would have said is gone (a compaction).
  virtual std::string follow(KvSnapshot& current, const std::function<void(const KvSnapshot&)>& on_change) = 0;
  virtual void stop() = 0;
  virtual void resume() = 0;
};

std::unique_ptr<KvSource> make_etcd_source(etcd::ClientSettings settings, std::string prefix);

struct ConsulWatchSettings {
  std::chrono::seconds wait{60};  // each blocking query's wait (Consul allows up to 10 min)
  std::chrono::milliseconds rate_interval{
      1000};  // a churning prefix is read at most once per this (after a burst of 2)
};
std::unique_ptr<KvSource> make_consul_source(consul::ClientSettings settings, std::string prefix,
                                             ConsulWatchSettings watch);

}  // namespace hyperion::plugins::consul_config
