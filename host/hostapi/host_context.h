// The host's side of one plugin instance (the opaque hyperion_host_ctx_t of
// hyperion/plugin.h) and the shared facilities every host API call reaches:
// services, events, metrics, timers, and the config proposal hook.
// Thread-safety: HostContext's mutable sets are guarded by `mu`; the facilities
// are thread-safe themselves.
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "events/event_bus.h"
#include "loader/plugin_metadata.h"
#include "metrics/metrics_registry.h"
#include "secrets/secret_scrubber.h"
#include "services/service_registry.h"
#include "timers/timer_service.h"

namespace hyperion::hostapi {

// Applies a proposed configuration; returns the revision or why not.
// `proposer_stopping` turns true when the proposing instance is being stopped:
// a proposal still waiting for its turn then gives up.
using ConfigProposer =
    std::function<StatusOr<uint64_t>(const std::string& instance, const std::string& source, const std::string& json,
                                     const std::atomic<bool>& proposer_stopping)>;

struct HostFacilities {
  explicit HostFacilities(const std::string& app) : events(app) {
    // A plugin that subscribes learns at once whether the host is ready.
    events.retain_latest("dev.hyperion.host.readiness");
  }
  services::ServiceRegistry services;
  events::EventBus events;
  metrics::MetricsRegistry metrics;
  timers::TimerService timers;
  // Removes secrets from what plugins log, report and emit. Shared: a hung call
  // that returns after the host is gone may still scrub its answer.
  std::shared_ptr<secrets::SecretScrubber> secrets = std::make_shared<secrets::SecretScrubber>();
  ConfigProposer propose_config;  // empty: proposals are refused
  ConfigProposer propose_layer;   // (instance, source, layer JSON); empty: layers are refused
  std::string state_dir;          // the host's; instances get <state_dir>/instances/<name>
  // Wakes proposals waiting for their turn, so those of a stopping instance give up.
  std::function<void()> wake_proposals;
};

}  // namespace hyperion::hostapi

struct hyperion_host_ctx {
  std::string instance;
  std::shared_ptr<spdlog::logger> logger;
  hyperion::hostapi::HostFacilities* facilities = nullptr;
  std::vector<hyperion::loader::Requirement> declared_requirements;
  std::map<std::string, std::string> providers;  // api -> providing instance

  std::mutex mu;
  std::set<hyperion_service*> handles;
  std::set<uint64_t> subscriptions;
  std::set<uint64_t> timers;
  std::set<std::string> reported_metric_errors;  // each reported once
  std::atomic<bool> stopping{false};             // stop() has begun: its proposals give up
};

namespace hyperion::hostapi {

// Cancels the instance's timers (before stop()).
void cancel_timers(hyperion_host_ctx& ctx);
// Cancels timers and event subscriptions: no host thread calls into the
// instance afterwards (before destroy()).
void cancel_callbacks(hyperion_host_ctx& ctx);
// Releases the service handles the instance still holds (after destroy(): the
// plugin may release its own handles while it is being destroyed).
void release_handles(hyperion_host_ctx& ctx);

}  // namespace hyperion::hostapi
