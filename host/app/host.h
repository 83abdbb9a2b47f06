// Host: wires the rooms together for one manifest — logging, loader, plan,
// host facilities and lifecycle. It owns none of their logic.
//
//   auto host = Host::prepare("app.yaml", options);   // parse, load, validate, order
//   host->start();                                      // create + start in order
//   host->stop();                                       // reverse order
//
// Thread-safety: start() and stop() from one thread (the CLI's main thread).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "hostapi/host_context.h"
#include "lifecycle/call_runner.h"
#include "lifecycle/lifecycle.h"
#include "loader/loader.h"
#include "planning/app_plan.h"

namespace hyperion::app {

struct HostOptions {
  std::vector<std::string> plugin_path;  // from the command line; searched first
  std::optional<std::string> log_level;  // overrides host.log_level
  std::optional<std::string> log_format; // overrides host.log_format
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

  [[nodiscard]] const planning::AppPlan& plan() const { return *plan_; }
  [[nodiscard]] hostapi::HostFacilities& facilities() { return *facilities_; }
  [[nodiscard]] const std::string& state_dir() const { return state_dir_; }
  // Calls into plugins that never returned (such instances are never touched again).
  [[nodiscard]] size_t hung_calls() const { return runner_.hung_calls(); }

 private:
  Host() = default;

  std::string state_dir_;
  std::unique_ptr<loader::Loader> loader_;
  std::unique_ptr<planning::AppPlan> plan_;
  std::unique_ptr<hostapi::HostFacilities> facilities_;
  lifecycle::CallRunner runner_;
  std::unique_ptr<lifecycle::Lifecycle> lifecycle_;
};

}  // namespace hyperion::app
