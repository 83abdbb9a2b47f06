// PluginInstance: one running instance of a plugin — its state, its host
// context, and every call into its vtable. Each call runs through the
// CallRunner with a deadline; an error, an exception turned into an error by the
// SDK, garbage in the error struct, or a call that never returns all become a
// Status that names the instance and the call. A hung instance is never called,
// destroyed or unloaded again.
// Thread-safety: lifecycle calls (create/start/stop/destroy) must be serialized
// by the caller; state() may be read from any thread.
#pragma once

#include <hyperion/plugin.h>

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "hostapi/host_context.h"
#include "lifecycle/call_runner.h"
#include "loader/loaded_plugin.h"

namespace hyperion::lifecycle {

enum class InstanceState { kNew, kCreated, kRunning, kStopped, kFailed, kHung, kDestroyed };
const char* instance_state_name(InstanceState state);

class PluginInstance {
 public:
  using Clock = std::chrono::steady_clock;

  PluginInstance(std::string name, std::shared_ptr<loader::LoadedPlugin> plugin, hostapi::HostFacilities& facilities,
                 CallRunner& runner, std::map<std::string, std::string> providers);
  ~PluginInstance();  // destroys the instance if the caller did not
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  Status create(const boost::json::object& config, Clock::time_point deadline);
  // Starts, then publishes the services the metadata declares.
  Status start(Clock::time_point deadline);
  // Cancels timers, withdraws services (draining uses in flight), then stops.
  Status stop(Clock::time_point deadline);
  // Releases everything the instance holds and destroys it. Skipped if hung.
  // Not ok when the plugin threw or hung in destroy (also logged).
  Status destroy(Clock::time_point deadline);

  // Two-phase reload (capability "reload"); see hyperion/plugin.h.
  Status reload_prepare(const boost::json::object& config, const std::string& diff_json, Clock::time_point deadline);
  Status reload_commit(Clock::time_point deadline);
  // Not ok when the plugin threw or hung in reload_abort (the caller reports it).
  Status reload_abort(Clock::time_point deadline);
  [[nodiscard]] bool reloadable() const { return plugin_->vtable.reload_prepare != nullptr; }

  // State handover for hot swap (capability "state"; hyperion/plugin.h). Export
  // from a running instance, at most `max_bytes`; import into a created one.
  [[nodiscard]] bool has_state() const {
    return plugin_->vtable.state_export != nullptr && plugin_->vtable.state_import != nullptr;
  }
  StatusOr<std::string> export_state(size_t max_bytes, Clock::time_point deadline);
  Status import_state(const std::string& state, Clock::time_point deadline);

  // For a swap: new uses of this instance's services wait (pause) until resumed
  // or covered by a successor; drain waits for the uses already inside.
  void pause_services();
  void resume_services();
  size_t drain_services(Clock::time_point deadline);

  // One health check, ready to run on the aggregator's workers. nullopt when the
  // previous check of this instance has not returned yet (it is not called again
  // until it does) or the instance is not running.
  struct HealthCheck {
    struct Result {
      hyperion_status_t status = HYPERION_OK;
      hyperion_error_t error{};
      std::string report;  // JSON as the plugin wrote it
    };
    std::shared_ptr<Result> result;
    std::function<void()> task;
  };
  std::optional<HealthCheck> prepare_health_check();
  [[nodiscard]] bool has_health_check() const { return plugin_->vtable.health != nullptr; }

  // The plugin's health report as JSON text, or why there is none (one check,
  // run at once; for tools and tests — the host's health room uses the aggregator).
  StatusOr<std::string> health(Clock::time_point deadline);
  // `calls` health checks at once, each on its own worker, as convention 6 of
  // hyperion/plugin.h allows (`hyperion check` proves a plugin takes it). One
  // answer per call, in order; stop and destroy wait for all of them.
  std::vector<StatusOr<std::string>> health_burst(size_t calls, Clock::time_point deadline);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] InstanceState state() const { return state_.load(); }
  [[nodiscard]] const loader::LoadedPlugin& plugin() const { return *plugin_; }

 private:
  // `text` (from the plugin) without the secrets the host gave plugins.
  [[nodiscard]] std::string scrub(std::string text) const;
  // Runs `fn` (which calls into the plugin) with an error struct, by `deadline`.
  Status call(const char* what, Clock::time_point deadline,
              std::function<hyperion_status_t(hyperion_error_t*)> fn);
  Status publish_services(Clock::time_point deadline);
  // A health check whose task counts itself out of the gate (the caller counted it in).
  HealthCheck make_health_check();

  const std::string name_;
  std::shared_ptr<loader::LoadedPlugin> plugin_;
  std::vector<services::ServiceRegistry::Publication> published_;  // withdrawn by stop()
  hostapi::HostFacilities& facilities_;
  CallRunner& runner_;
  // Shared with calls in flight: a hung call may use it long after we gave up.
  std::shared_ptr<hyperion_host_ctx> ctx_;
  hyperion_instance_t* instance_ = nullptr;
  std::atomic<InstanceState> state_{InstanceState::kNew};
  // How many health checks are inside the plugin; stop and destroy wait for them.
  struct HealthGate {
    std::mutex mu;
    std::condition_variable cv;
    size_t inside = 0;
    bool closed = false;  // stop() has begun: no new check
  };
  std::shared_ptr<HealthGate> health_gate_ = std::make_shared<HealthGate>();
  // Waits for a health check in flight to return; false if it did not by `deadline`.
  bool wait_for_health_check(Clock::time_point deadline);
};

}  // namespace hyperion::lifecycle
