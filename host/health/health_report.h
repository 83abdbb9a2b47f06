// HealthReport: the host's health as others see it — the aggregate of one
// HealthAggregator round (cached, single-flight), metered into the host's
// metrics once per round, and rendered as the JSON of hyperion/services/health.h
// with what other rooms add to it (the revision, the reload breaker). Built as
// JSON, never edited as text.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "health/health_aggregator.h"
#include "lifecycle/lifecycle.h"
#include "metrics/metrics_registry.h"
#include "planning/resolved_app.h"

namespace hyperion::health {

// What a round checks: every live instance, with its manifest settings
// (optional, timeout) and the providers of its required APIs.
std::vector<HealthTarget> health_targets(const lifecycle::Lifecycle& lifecycle, const planning::ResolvedApp& app);

class HealthReport {
 public:
  // Adds fields that change between rounds to a copy of the round's report.
  using Extras = std::function<void(boost::json::object& report)>;
  // Told of each new round once, by its first caller (readiness announcements).
  using OnRound = std::function<void(const HealthSnapshot& round)>;

  HealthReport(lifecycle::CallRunner& runner, HealthAggregator::Source source, std::chrono::milliseconds ttl,
               metrics::MetricsRegistry& metrics, Extras extras, OnRound on_round = {});

  // The aggregate; the first caller of each round meters it.
  HealthSnapshot check();
  // check() as JSON, with the extras.
  std::string json();
  [[nodiscard]] HealthAggregator& aggregator() { return aggregator_; }

 private:
  HealthAggregator aggregator_;
  metrics::MetricsRegistry& metrics_;
  Extras extras_;
  OnRound on_round_;
  std::atomic<uint64_t> last_metered_round_{0};
  std::mutex cache_mu_;
  uint64_t cached_round_ = 0;
  boost::json::object cached_;  // the round's snapshot as JSON: built once per round
};

}  // namespace hyperion::health
