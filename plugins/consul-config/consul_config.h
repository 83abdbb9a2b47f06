// ConsulConfig: configuration from a key-value store (Consul or etcd),
// proposed to the host as this source's *layer* (config_propose_layer, ABI 1.1)
// and applied by the host's atomic reload. docs/remote-config.md.
//
// Two threads of its own, started by start() and joined by stop():
//   watcher  reads the prefix, then follows its changes (a watch stream),
//            reconnecting with exponential backoff and jitter;
//   applier  waits until changes have been quiet for debounce_ms, maps the keys
//            to a layer and proposes it: a burst of changes is one reload.
// At start, a store that does not answer within connect_timeout_ms means the
// fallback file, else the last-known-good snapshot (kept 0600 in the instance's
// state folder), and the instance reports degraded until the store answers
// again; with required: true it is a start failure naming the store.
// Thread-safety: health() runs concurrently with everything; lifecycle calls
// are serialized by the host.
#pragma once

#include <hyperion/plugin.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "kv_source.h"

namespace hyperion::plugins::consul_config {

struct Settings {
  std::string type = "etcd";
  std::vector<std::string> endpoints;
  std::string prefix;  // always ends with '/'
  bool watch = true;
  bool required = false;
  std::string username;
  std::string password;
  std::string token;  // Consul's ACL token
  consul::Consistency consistency = consul::Consistency::kDefault;
  ConsulWatchSettings consul_watch;
  stores::TlsSettings tls;
  std::string fallback_file;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds debounce{100};
  std::chrono::milliseconds retry_initial{500};
  std::chrono::milliseconds retry_max{30000};

  // From a config the host validated against plugin.json (defaults filled in).
  static Settings from_config(const boost::json::object& config);
};

class ConsulConfig {
 public:
  ConsulConfig(hyperion::Context& ctx, const boost::json::object& config);
  ~ConsulConfig();

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();

 private:
  // Ends both threads (stop() and the destructor).
  void shut_down();
  void watch_loop();
  void apply_loop();
  void offer(const KvSnapshot& snapshot, bool from_store);
  void apply(const KvSnapshot& snapshot);
  std::optional<KvSnapshot> load_fallback();
  void save_last_known_good(const KvSnapshot& snapshot) const;
  // Waits `delay` or until stop; false when stopping.
  bool pause(std::chrono::milliseconds delay);

  hyperion::Context& ctx_;
  Settings settings_;
  std::unique_ptr<KvSource> source_;
  std::string state_dir_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::optional<KvSnapshot> pending_;  // the newest snapshot not proposed yet
  std::chrono::steady_clock::time_point pending_since_{};
  std::optional<KvSnapshot> current_;  // what the watcher follows from
  std::string applied_layer_;          // the layer JSON the host last accepted
  // What health() reports.
  bool on_fallback_ = false;
  bool store_down_ = false;  // the store stopped answering after start; the last good layer runs
  std::string fallback_origin_;
  std::string last_error_;
  std::string last_refusal_;
  int64_t applied_index_ = 0;
  uint64_t applied_revision_ = 0;
  std::chrono::steady_clock::time_point last_contact_{};

  std::thread watcher_;
  std::thread applier_;
};

}  // namespace hyperion::plugins::consul_config
