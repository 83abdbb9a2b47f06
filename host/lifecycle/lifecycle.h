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

struct InstancePlan {
  std::unique_ptr<PluginInstance> instance;
  boost::json::object config;
  std::chrono::milliseconds start_timeout{30000};
  std::chrono::milliseconds stop_timeout{5000};
};

class Lifecycle {
 public:
  // Observes each step: ("started"|"stopped"|"failed"|"hung", instance, detail).
  using Observer =
      std::function<void(const std::string& event, const PluginInstance& instance, const std::string& detail)>;

  // `plans` in start order.
  explicit Lifecycle(std::vector<InstancePlan> plans, Observer observer = {});
  ~Lifecycle();

  // Creates and starts every instance in order. On failure, rolls back and
  // returns the failing instance's error (the instances stay destroyed).
  Status start_all();
  // Stops running instances in reverse order and destroys them. Returns the
  // first problem, after trying every instance.
  Status stop_all();

  [[nodiscard]] const std::vector<InstancePlan>& plans() const { return plans_; }
  // For a reload transaction: takes the instances out, and puts the new set back.
  std::vector<InstancePlan> release_plans() { return std::exchange(plans_, {}); }
  void adopt_plans(std::vector<InstancePlan> plans) { plans_ = std::move(plans); }
  [[nodiscard]] const Observer& observer() const { return observer_; }
  // Names of the instances whose start succeeded, in start order.
  [[nodiscard]] std::vector<std::string> running() const;

 private:
  Status stop_range(size_t count);

  std::vector<InstancePlan> plans_;
  Observer observer_;
};

}  // namespace hyperion::lifecycle
