#include "health/health_report.h"

#include <boost/json/serialize.hpp>

#include "base/json_text.h"

namespace hyperion::health {

std::vector<HealthTarget> health_targets(const lifecycle::Lifecycle& lifecycle, const planning::ResolvedApp& app) {
  std::vector<HealthTarget> targets;
  for (const lifecycle::LiveInstance& live : lifecycle.instances()) {
    const planning::ResolvedInstance* resolved = app.find(live.instance->name());
    HealthTarget t;
    t.name = live.instance->name();
    t.optional = resolved != nullptr && resolved->spec->optional;
    t.timeout = resolved != nullptr ? resolved->spec->health_timeout : app.manifest.host.health.timeout;
    if (resolved != nullptr) {
      for (const auto& [api, provider] : planning::provider_bindings(*resolved, app.graph, true)) {
        t.depends_on.push_back(provider);
      }
    }
    t.state = lifecycle::instance_state_name(live.instance->state());
    t.has_check = live.instance->has_health_check();
    if (t.has_check) t.check = live.instance->prepare_health_check();
    targets.push_back(std::move(t));
  }
  return targets;
}

HealthReport::HealthReport(lifecycle::CallRunner& runner, HealthAggregator::Source source,
                           std::chrono::milliseconds ttl, metrics::MetricsRegistry& metrics, Extras extras,
                           OnRound on_round)
    : aggregator_(runner, std::move(source), ttl),
      metrics_(metrics),
      extras_(std::move(extras)),
      on_round_(std::move(on_round)) {
  (void)metrics_.describe("hyperion_health_check_duration_seconds",
                          "How long an instance's health check took in the latest rounds, in seconds.");
  (void)metrics_.describe("hyperion_instance_healthy",
                          "1 when the instance's last health check said healthy, else 0 (degraded or unhealthy).");
}

HealthSnapshot HealthReport::check() {
  HealthSnapshot snap = aggregator_.check();
  if (snap.round != last_metered_round_.exchange(snap.round)) {
    for (const InstanceHealth& i : snap.instances) {
      (void)metrics_.histogram_observe(i.name, "hyperion_health_check_duration_seconds", "", i.duration_ms / 1000.0);
      (void)metrics_.gauge_set(i.name, "hyperion_instance_healthy", "", i.status == HealthStatus::kHealthy ? 1 : 0);
    }
    if (on_round_) on_round_(snap);
  }
  return snap;
}

std::string HealthReport::json() {
  HealthSnapshot snap = check();
  boost::json::object report;
  {
    std::lock_guard lock(cache_mu_);
    if (cached_round_ != snap.round || cached_.empty()) {
      cached_round_ = snap.round;
      cached_ = snap.to_json();
    }
    report = cached_;
  }
  if (extras_) extras_(report);
  return serialize_plain(report);  // "duration_ms": 0.2465, not 2.465E-1
}

}  // namespace hyperion::health
