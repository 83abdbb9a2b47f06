// PluginCheck: the battery `hyperion check LIB.so` runs against one plugin
// library, in a private host (check_host.h), through the real ABI: metadata,
// ABI, lifecycle, health, services, reload, state and unload. It drives the
// plugin call by call, as a host would, and reports what each check found
// (check_report.h). docs/plugin-guide.md, "Testing your plugin", lists every
// check and what makes it fail.
// Thread-safety: run_check() may be called from one thread at a time (it
// configures the process's logging and runs a host).
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "check/check_host.h"
#include "check/check_report.h"

namespace hyperion::check {

struct CheckOptions {
  std::string library;                // a path, or a name on the search path
  boost::json::object config;         // the plugin's config before defaults ({}: defaults only)
  std::vector<ProviderLibrary> with;  // run beside it, providing what it requires
  std::vector<std::string> plugin_path;
  std::string log_level = "warn";                  // the private host's and the plugins' logs (stderr)
  std::chrono::milliseconds start_timeout{30000};  // create and start
  std::chrono::milliseconds stop_timeout{5000};    // stop and destroy
  std::chrono::milliseconds call_timeout{5000};    // health, reload and state calls
  int lifecycle_rounds = 10;
  size_t health_calls = 64;  // at once
};

CheckReport run_check(const CheckOptions& options);

}  // namespace hyperion::check
