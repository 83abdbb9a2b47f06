// HealthPlugin: serves the host's aggregated health over HTTP on its own address
// (health_endpoints.h says what each URL answers) and the host's metrics at
// /metrics. It reads the aggregate through the host's hyperion.health service on
// every request; the host caches it and computes it once for concurrent requests.
// Thread-safety: requests run on the server's threads; start/stop are serialized
// by the host.
#pragma once

#include <httplib.h>

#include <hyperion/plugin.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "health_endpoints.h"

namespace hyperion::plugins::health {

class HealthPlugin {
 public:
  HealthPlugin(hyperion::Context& ctx, const boost::json::object& config);
  ~HealthPlugin();

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();

 private:
  enum class Read { kSnapshot, kMetrics, kOpenMetrics };
  // Calls the host service function for `what` and returns its output, in one
  // use of the service. OpenMetrics from a host whose hyperion.health is older
  // than 1.1 comes back as the text format, and `what` is set to kMetrics.
  std::string read_host(Read& what);
  // The answer to `path` from the host's current snapshot, which is parsed only
  // when its text changed; answers without ?exclude are kept until it changes.
  Answer respond(const std::string& path, const std::vector<std::string>& exclude, bool verbose);
  void routes();

  hyperion::Context& ctx_;
  std::string listen_;
  std::string url_;
  std::optional<hyperion::ServiceHandle> host_health_;
  httplib::Server server_;
  std::thread thread_;
  std::mutex cache_mu_;
  std::string cached_text_;
  std::shared_ptr<const boost::json::object> cached_;
  static constexpr size_t kMaxCachedAnswers = 64;
  std::map<std::pair<std::string, bool>, Answer> answers_;
};

}  // namespace hyperion::plugins::health
