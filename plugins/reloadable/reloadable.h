// Reloadable: the runtime-settings plugin and the template for reloadable
// plugins. Every field is dynamic: reload_prepare builds and checks the new
// settings beside the running ones; reload_commit publishes them with one store
// that cannot fail; reload_abort drops them. Readers (the runtime.settings
// service) never lock. Thread-safety: service calls and health() run
// concurrently with everything; lifecycle and reload calls are serialized by
// the host.
#pragma once

#include <hyperion/plugin.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "settings_cell.h"

namespace hyperion::plugins::reloadable {

struct Settings {
  std::string log_level = "info";
  std::map<std::string, bool, std::less<>> features;
  std::map<std::string, double, std::less<>> rate_limits;

  // From a config the host validated against plugin.json (defaults filled in).
  static Settings from_config(const boost::json::object& config);
  [[nodiscard]] boost::json::object to_json() const;
};

class Reloadable {
 public:
  Reloadable(hyperion::Context& ctx, const boost::json::object& config);

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const boost::json::object& new_config, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();
  hyperion::ServiceRef get_service(std::string_view api, uint32_t api_major);

  // The reads behind the service, lock-free.
  [[nodiscard]] uint64_t generation() const { return generation_.load(); }
  [[nodiscard]] std::string log_level() const;
  [[nodiscard]] int32_t feature_enabled(std::string_view flag, int32_t default_value) const;
  [[nodiscard]] double rate_limit(std::string_view name, double default_value) const;
  [[nodiscard]] std::string snapshot_json() const;

 private:
  hyperion::Context& ctx_;
  SettingsCell<std::shared_ptr<const Settings>> current_;
  std::shared_ptr<const Settings> pending_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace hyperion::plugins::reloadable
