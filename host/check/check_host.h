// CheckHost: the private host `hyperion check` runs a plugin in. A real Host —
// its service registry, event bus, metrics, timers and the host's own
// hyperion.health service — started from a manifest it writes into a scratch
// folder (no admin API, no watcher, state in the folder), whose instances are
// the providers the plugin under check requires: the libraries named with
// `--with`, else, for a required API the kit knows, the plugin of that API
// installed with Hyperion (found on the search path) in a loopback-only
// configuration. The plugin under check is not an instance of this host: the
// check drives it call by call (plugin_check.h) on the host's facilities.
// Thread-safety: construct and destroy on one thread; facilities() are thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/host.h"
#include "base/status.h"
#include "loader/plugin_metadata.h"

namespace hyperion::check {

// A library to run beside the plugin under check, with its config ({}: defaults).
struct ProviderLibrary {
  std::string library;
  boost::json::object config;
};

class CheckHost {
 public:
  // Starts the host in `folder`. `notes` gets one line per provider chosen.
  static StatusOr<std::unique_ptr<CheckHost>> start(const std::string& folder, const loader::PluginMetadata& subject,
                                                    const std::vector<ProviderLibrary>& with,
                                                    const std::vector<std::string>& plugin_path,
                                                    const std::string& log_level, std::vector<std::string>& notes);
  ~CheckHost();  // stops the host
  CheckHost(const CheckHost&) = delete;
  CheckHost& operator=(const CheckHost&) = delete;

  [[nodiscard]] hostapi::HostFacilities& facilities() { return host_->facilities(); }
  // The plugin under check's API -> the instance (or "hyperion") that provides it.
  [[nodiscard]] const std::map<std::string, std::string>& bindings() const { return bindings_; }

 private:
  CheckHost() = default;
  std::unique_ptr<app::Host> host_;
  std::map<std::string, std::string> bindings_;
};

}  // namespace hyperion::check
