// grpc.health.v1.Health answered from the host's aggregated health (the
// hyperion.health service): Check and Watch.
//   ""                      -> SERVING when the host is ready (running, not
//                              draining, no required instance unhealthy)
//   a served gRPC service   -> the same, since every handler runs in this host
//   a plugin instance name  -> SERVING when that instance is healthy or degraded
//   anything else           -> Check: NOT_FOUND; Watch: SERVICE_UNKNOWN
// Watch sends the current status, then every change, re-reading the aggregate
// every health_watch_interval_ms (the host caches it, so many watchers cost one
// round of checks).
// Thread-safety: every member may be called from any thread.
#pragma once

#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_server.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "handler_table.h"

namespace hyperion::plugins::grpc_server {

class HealthService {
 public:
  // `read_snapshot` returns the host's aggregate JSON (throws when it cannot).
  HealthService(const HandlerTable& table, std::function<std::string()> read_snapshot);
  ~HealthService();

  // Adds Check and Watch to `table`.
  void register_into(HandlerTable& table);
  void set_enabled(bool enabled) { enabled_.store(enabled); }
  [[nodiscard]] bool enabled() const { return enabled_.load(); }
  // Re-reads the aggregate and sends each watcher its status if it changed.
  void poll();
  // Ends every Watch stream (the server is stopping).
  void shutdown();
  [[nodiscard]] size_t watchers() const;

  // The status `service` has in `snapshot`; nullopt when it is unknown.
  // 1 = SERVING, 2 = NOT_SERVING (grpc.health.v1 numbers).
  static std::optional<int> status_of(const std::string& service, const boost::json::object* snapshot,
                                      const std::vector<std::string>& served);

 private:
  class WatchStream;
  std::optional<int> current(const std::string& service, const boost::json::object* snapshot) const;
  std::optional<boost::json::object> read() const;

  const HandlerTable& table_;
  std::function<std::string()> read_snapshot_;
  std::atomic<bool> enabled_{true};
  hyperion::grpc::detail::Handlers check_;
  hyperion::grpc::detail::Handlers watch_;

  mutable std::mutex mu_;  // watchers_, and every send on a watched call
  struct Watcher {
    std::string service;
    int last = -1;
  };
  std::map<hyperion::grpc::Call*, Watcher> watchers_;
  bool stopped_ = false;
};

}  // namespace hyperion::plugins::grpc_server
