// Host: wires the rooms together for one manifest — logging, state, loader,
// plan, host facilities, lifecycle, reload and health — and starts and stops
// them. It owns none of their logic: reloads are reload::Reloader's, health is
// health::HealthReport's, admin views are admin/'s (from the AppSnapshot this
// class takes). docs/architecture.md draws the rooms.
//
//   auto host = Host::prepare("app.yaml", options);     // parse, load, validate, order
//   host->start();                                        // create + start in order
//   host->reloads().reload_from_file("sighup");           // re-read the file, all or nothing
//   host->stop();                                         // reverse order
//
// Thread-safety: start(), stop() and every reload are serialized by one gate;
// start() and stop() are called once each. The rest may be called from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/operator_access.h"
#include "base/operation_gate.h"
#include "base/status.h"
#include "health/health_report.h"
#include "hostapi/host_context.h"
#include "lifecycle/call_runner.h"
#include "lifecycle/instance_factory.h"
#include "lifecycle/lifecycle.h"
#include "loader/loader.h"
#include "paths/state_lock.h"
#include "reload/reloader.h"
#include "state/state_store.h"

namespace hyperion::app {

struct HostOptions {
  std::vector<std::string> plugin_path;  // from the command line; searched first
  std::optional<std::string> log_level;  // overrides host.log_level
  std::optional<std::string> log_format; // overrides host.log_format
  // Told when each reload begins (nullptr) and ends (reload::Reloader::Rooms::observer).
  std::function<void(const reload::ReloadResult*)> reload_observer = nullptr;
};

class Host : public AppReader {
 public:
  // Parses the manifest, configures logging, loads every plugin, validates every
  // config and orders the instances. Nothing is created or started.
  static StatusOr<std::unique_ptr<Host>> prepare(const std::string& manifest_path, const HostOptions& options);
  ~Host() override;

  // Starts every instance in order; on failure the started ones are stopped again.
  Status start();
  // Stops every running instance in reverse order.
  Status stop();
  // Readiness turns false from now on (SIGTERM/SIGINT, before stopping anything).
  // Readiness turns false (before anything stops, on SIGTERM): the health
  // endpoints say so, and plugins hear it (dev.hyperion.host.readiness).
  void drain();

  [[nodiscard]] reload::Reloader& reloads() { return *reloader_; }
  [[nodiscard]] health::HealthReport& health() { return *health_; }
  // Every metric, the host's own included, in the Prometheus text format or
  // OpenMetrics.
  std::string metrics_text(metrics::Exposition format = metrics::Exposition::kPrometheusText);
  AppSnapshot snapshot() override;
  std::string metrics() override { return metrics_text(); }
  [[nodiscard]] OperatorAccess operator_access() { return {*this, *reloader_, *store_, facilities_->events, *health_}; }

  // The host settings of the running manifest (copied: a reload may replace them).
  [[nodiscard]] manifest::HostSettings settings();
  [[nodiscard]] const std::string& state_dir() const { return state_dir_; }
  // Calls into plugins that never returned (such instances are never touched again).
  [[nodiscard]] size_t hung_calls() const { return runner_.hung_calls(); }

  // For tests and embedders that drive rooms directly. The running plan and the
  // lifecycle change under a reload: read them only where none can run.
  [[nodiscard]] const planning::ResolvedApp& plan() const { return reloader_->running(); }
  [[nodiscard]] const lifecycle::Lifecycle& lifecycle() const { return *lifecycle_; }
  [[nodiscard]] hostapi::HostFacilities& facilities() { return *facilities_; }
  [[nodiscard]] state::StateStore& store() { return *store_; }
  // The JSON health report of one running instance (waits for a reload in progress).
  StatusOr<std::string> instance_health(const std::string& name);

 private:
  Host() = default;
  void observe_instance(lifecycle::InstanceEvent event, const lifecycle::PluginInstance& instance,
                        const std::string& detail);
  void wire_health(const manifest::HostSettings& settings);
  // Emits dev.hyperion.host.readiness {"ready", "reason"} when readiness changes.
  void announce_readiness(bool ready, const std::string& reason);
  // Routes config_propose and config_propose_layer to the Reloader (host_services.cc).
  void accept_proposals();

  std::unique_ptr<paths::StateLock> state_lock_;  // first declared, last released: after the database closes
  OperationGate gate_;  // one of start, reload, stop at a time
  std::string manifest_path_;
  HostOptions options_;
  std::string state_dir_;
  // created, starting, running, stopping, stopped, failed; read by health at any time.
  std::atomic<const char*> phase_{"created"};
  std::atomic<bool> draining_{false};
  // The readiness last announced: -1 none yet, 0 not ready, 1 ready.
  std::mutex readiness_mu_;
  int announced_ready_ = -1;
  // Declaration order is destruction order reversed: the reloader and health go
  // before the lifecycle they read, the lifecycle before the facilities.
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<loader::Loader> loader_;
  std::unique_ptr<hostapi::HostFacilities> facilities_;
  lifecycle::CallRunner runner_;
  std::unique_ptr<lifecycle::InstanceFactory> instances_;
  std::unique_ptr<lifecycle::Lifecycle> lifecycle_;
  std::unique_ptr<reload::Reloader> reloader_;
  std::unique_ptr<health::HealthReport> health_;
};

}  // namespace hyperion::app
