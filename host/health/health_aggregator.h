// HealthAggregator: the host's view of health. One round calls every
// instance's health check in parallel, each with its own timeout; a check that
// times out is reported unhealthy with cause "timeout" and is not called again
// until it returns; an error or an exception (turned into an error by the SDK)
// is reported unhealthy with its message; an instance whose required provider is
// unhealthy is reported degraded with that cause. The aggregate is cached for a
// short TTL and computed single-flight: N concurrent callers cause at most one
// round. Semantics (docs/health.md):
//   live    — the host itself answers (plugins never fail liveness)
//   ready   — running, not draining, and no required instance unhealthy
//   startup — the lifecycle phase
// Thread-safety: check() may be called from any thread, concurrently.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lifecycle/call_runner.h"
#include "lifecycle/plugin_instance.h"

namespace hyperion::health {

// Ordered by severity: a larger value is worse.
enum class HealthStatus { kHealthy = 0, kDegraded = 1, kUnhealthy = 2 };
const char* health_status_name(HealthStatus status);
// "healthy", "degraded", "unhealthy" (a report's "status"); nullopt for anything else.
std::optional<HealthStatus> parse_health_status(std::string_view text);

// What a round checks for one instance, gathered by the host.
struct HealthTarget {
  std::string name;
  bool optional = false;
  std::chrono::milliseconds timeout{200};
  std::vector<std::string> depends_on;  // providers of its required (non-optional) APIs
  std::string state;                    // the instance's lifecycle state
  bool has_check = false;               // the plugin implements health
  std::optional<lifecycle::PluginInstance::HealthCheck> check;  // nullopt: the last check is still running
};

struct InstanceHealth {
  std::string name;
  HealthStatus status = HealthStatus::kHealthy;
  std::string message;
  std::string cause;  // "", "timeout", "error", "not running", "dependency"
  boost::json::object details;
  double duration_ms = 0;
  bool optional = false;
};

struct HealthSnapshot {
  HealthStatus status = HealthStatus::kHealthy;  // worst of the required instances
  bool live = true;
  bool ready = false;
  std::string phase;
  bool draining = false;
  std::vector<InstanceHealth> instances;
  std::chrono::steady_clock::time_point taken{};
  uint64_t round = 0;  // which round computed it

  [[nodiscard]] const InstanceHealth* find(const std::string& name) const;
  [[nodiscard]] boost::json::object to_json() const;
};

class HealthAggregator {
 public:
  // The host's side: the targets of a round, or nullopt when they cannot be
  // gathered right now (a reload is changing the instances): the last snapshot
  // is served again. Also the phase and whether the host is draining.
  struct Source {
    std::function<std::optional<std::vector<HealthTarget>>()> targets;
    std::function<std::string()> phase;
    std::function<bool()> draining;
  };

  HealthAggregator(lifecycle::CallRunner& runner, Source source, std::chrono::milliseconds ttl);

  // The current aggregate: cached for the TTL, single-flight.
  HealthSnapshot check();
  // Drops the cached aggregate: the next check() runs a round.
  void expire();
  // Rounds computed so far (for tests: counts the calls into plugins).
  [[nodiscard]] uint64_t rounds() const;

 private:
  HealthSnapshot compute(uint64_t round);

  lifecycle::CallRunner& runner_;
  Source source_;
  std::chrono::milliseconds ttl_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool computing_ = false;
  uint64_t rounds_ = 0;
  std::optional<HealthSnapshot> last_;
};

}  // namespace hyperion::health
