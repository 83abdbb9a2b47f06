// Host: wires the rooms together for one manifest — logging, loader, plan,
// host facilities, lifecycle and reload. It owns none of their logic.
//
//   auto host = Host::prepare("app.yaml", options);   // parse, load, validate, order
//   host->start();                                      // create + start in order
//   host->reload({"sighup", "", std::nullopt});         // re-read the file, all or nothing
//   host->stop();                                       // reverse order
//
// Thread-safety: start(), reload() and stop() may be called from any thread;
// they are serialized. start() and stop() are called once each.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "health/health_aggregator.h"
#include "hostapi/host_context.h"
#include "app/operation_gate.h"
#include "lifecycle/call_runner.h"
#include "lifecycle/lifecycle.h"
#include "loader/loader.h"
#include "planning/app_plan.h"
#include "reload/reload_breaker.h"
#include "reload/reload_coalescer.h"
#include "reload/reload_result.h"
#include "state/state_store.h"

namespace hyperion::app {

struct HostOptions {
  std::vector<std::string> plugin_path;  // from the command line; searched first
  std::optional<std::string> log_level;  // overrides host.log_level
  std::optional<std::string> log_format; // overrides host.log_format
};

// A request for a new desired configuration.
struct ReloadRequest {
  std::string source;  // "sighup", "file-watch", "admin", "cli", "plugin:<instance>", "rollback"
  std::string author;  // who asked, when known
  // The whole new manifest; nullopt re-reads the manifest file.
  std::optional<std::string> manifest_text;
  // Configs proposed by config sources, applied on top of the manifest (instance
  // -> complete config); nullopt keeps the ones in force.
  std::optional<boost::json::object> overrides;
  // A config source's proposal: merged into the overrides in force, on top of
  // the running manifest (manifest_text is ignored). Empty: no proposal.
  boost::json::object proposal = {};
};

class Host {
 public:
  // Parses the manifest, configures logging, loads every plugin, validates every
  // config and orders the instances. Nothing is created or started.
  static StatusOr<std::unique_ptr<Host>> prepare(const std::string& manifest_path, const HostOptions& options);
  ~Host();

  // Starts every instance in order; on failure the started ones are stopped again.
  Status start();
  // Stops every running instance in reverse order.
  Status stop();

  // Applies a new desired configuration atomically (docs/reload.md) and returns
  // the outcome only when it is decided. Every attempt that is not refused by the
  // breaker or unchanged is stored as a revision.
  reload::ReloadResult reload(const ReloadRequest& request);
  // A config source's proposal (the host API's config_propose): `desired_json`
  // maps instance names to complete new configs; they stay in force on top of the
  // manifest until proposed again. Decided synchronously like any reload.
  reload::ReloadResult propose(const std::string& instance, const std::string& source, const std::string& desired_json);

  // Re-reads the manifest file and applies it; a burst of such calls is
  // coalesced (reload/reload_coalescer.h).
  reload::ReloadResult reload_from_file(const std::string& source, const std::string& author = "");
  // Applies revision `number`'s manifest as a new revision (source "rollback:N").
  reload::ReloadResult rollback(uint64_t number, const std::string& author);

  // The aggregated health of every instance (cached, single-flight; see
  // health/health_aggregator.h), with the breaker and revision in its details.
  health::HealthSnapshot health();
  [[nodiscard]] health::HealthAggregator& health_aggregator() { return *health_; }
  // health() as the JSON of hyperion/services/health.h, with revision and breaker.
  std::string health_json();
  // Every metric in the Prometheus text format, the host's own included.
  std::string metrics_text();
  // Readiness turns false from now on (SIGTERM/SIGINT, before stopping anything).
  void drain() { draining_ = true; }

  // {"app", "phase", "instances": [...], "revision", "breaker"} for status endpoints.
  boost::json::object status();
  // The manifest as written and each instance's effective config, secrets redacted.
  boost::json::object config_view();
  // Each running instance with its plugin's metadata (provides, requires, capabilities).
  boost::json::array plugins_view();
  [[nodiscard]] state::StateStore& store() { return *store_; }
  [[nodiscard]] const reload::ReloadBreaker& breaker() const { return *breaker_; }

  // The running plan. A reload replaces it: read it only where no reload can run
  // concurrently (before triggers start, in tests); other threads use the *_view()
  // and status() snapshots.
  [[nodiscard]] const planning::AppPlan& plan() const { return *plan_; }
  [[nodiscard]] const lifecycle::Lifecycle& lifecycle() const { return *lifecycle_; }
  [[nodiscard]] hostapi::HostFacilities& facilities() { return *facilities_; }
  [[nodiscard]] const std::string& state_dir() const { return state_dir_; }
  [[nodiscard]] const std::string& manifest_path() const { return manifest_path_; }
  // Calls into plugins that never returned (such instances are never touched again).
  [[nodiscard]] size_t hung_calls() const { return runner_.hung_calls(); }
  // The JSON health report of one running instance (for tests and the health room).
  StatusOr<std::string> instance_health(const std::string& name);

 private:
  Host() = default;
  std::unique_ptr<lifecycle::PluginInstance> make_instance(const planning::PlannedInstance& planned,
                                                           const graph::DependencyGraph& graph);
  // Parses and plans a manifest text; nullopt text re-reads the file.
  StatusOr<std::unique_ptr<planning::AppPlan>> plan_manifest(const std::string& text,
                                                             const boost::json::object& overrides);
  std::string redacted_overrides(const boost::json::object& overrides) const;
  std::optional<std::vector<health::HealthTarget>> health_targets();
  void count_reload(const reload::ReloadResult& result);
  void remember_per_instance(const reload::ReloadResult& result);
  StatusOr<std::string> read_manifest_file() const;
  // Adds the secret values in `plan`'s configs to the facilities' SecretScrubber.
  void remember_secrets(const planning::AppPlan& plan);
  reload::ReloadResult apply(const std::string& text, const boost::json::object& overrides);
  void record(const ReloadRequest& request, const std::string& text, const boost::json::object& overrides,
              reload::ReloadResult& result);
  void observe_instance(const std::string& what, const lifecycle::PluginInstance& instance, const std::string& detail);

  OperationGate gate_;  // one of start, reload, stop at a time
  boost::json::object overrides_;  // in force: proposed configs on top of the manifest
  std::string manifest_path_;
  HostOptions options_;
  std::string state_dir_;
  // created, starting, running, stopping, stopped, failed; read by health at any time.
  std::atomic<const char*> phase_{"created"};
  std::atomic<bool> draining_{false};
  std::unique_ptr<health::HealthAggregator> health_;
  std::atomic<uint64_t> last_metered_round_{0};
  std::mutex health_json_mu_;
  uint64_t health_json_round_ = 0;
  std::string health_json_cache_;
  // instance -> {"revision", "outcome", "action"} of the last reload that touched it.
  std::mutex last_reload_mu_;
  boost::json::object last_reload_;
  std::atomic<uint64_t> current_revision_{0};
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<reload::ReloadBreaker> breaker_;
  std::unique_ptr<reload::ReloadCoalescer> coalescer_;
  std::unique_ptr<loader::Loader> loader_;
  std::unique_ptr<planning::AppPlan> plan_;
  std::unique_ptr<hostapi::HostFacilities> facilities_;
  lifecycle::CallRunner runner_;
  std::unique_ptr<lifecycle::Lifecycle> lifecycle_;
};

}  // namespace hyperion::app
