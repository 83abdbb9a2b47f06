// Lifecycle: starts a set of instances in dependency order and stops them in
// reverse. A start failure stops, in reverse, exactly the instances already
// started, destroys every created one, and reports which instance failed and
// why. A stop that fails or hangs is reported and the others still stop.
// Thread-safety: start_all() and stop_all() must not run concurrently.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "lifecycle/plugin_instance.h"

namespace hyperion::lifecycle {

// What happened to an instance, for observers (logs, events, plugin history).
enum class InstanceEvent {
  kStarted,  // start succeeded
  kStopped,  // stop succeeded
  kFailed,   // a lifecycle call failed
  kHung,     // a lifecycle call did not return by its deadline
};
// "started", "stopped", "failed", "hung": the names events and history use.
const char* instance_event_name(InstanceEvent event);

// A live instance with what the lifecycle needs to start and stop it.
struct LiveInstance {
  std::unique_ptr<PluginInstance> instance;
  boost::json::object config;
  std::chrono::milliseconds start_timeout{30000};
  std::chrono::milliseconds stop_timeout{5000};
};

class Lifecycle {
 public:
  // Observes each step of each instance; `detail` is the error or the reason.
  using Observer = std::function<void(InstanceEvent event, const PluginInstance& instance, const std::string& detail)>;

  // `instances` in start order.
  explicit Lifecycle(std::vector<LiveInstance> instances, Observer observer = {});
  ~Lifecycle();

  // Creates and starts every instance in order. On failure, rolls back and
  // returns the failing instance's error (the instances stay destroyed).
  Status start_all();
  // Stops running instances in reverse order and destroys them. Returns the
  // first problem, after trying every instance.
  Status stop_all();

  [[nodiscard]] const std::vector<LiveInstance>& instances() const { return instances_; }
  // For a reload transaction: takes the instances out, and puts the new set back.
  std::vector<LiveInstance> release_instances() { return std::exchange(instances_, {}); }
  void adopt_instances(std::vector<LiveInstance> instances) { instances_ = std::move(instances); }
  [[nodiscard]] const Observer& observer() const { return observer_; }
  // Names of the instances whose start succeeded, in start order.
  [[nodiscard]] std::vector<std::string> running() const;

 private:
  Status stop_range(size_t count);

  std::vector<LiveInstance> instances_;
  Observer observer_;
};

}  // namespace hyperion::lifecycle
