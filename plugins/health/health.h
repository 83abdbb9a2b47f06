// HealthPlugin: serves the host's aggregated health over HTTP on its own address
// (health_endpoints.h says what each URL answers) and the host's metrics at
// /metrics. It reads the aggregate through the host's hyperion.health service on
// every request; the host caches it and computes it once for concurrent requests.
// It serves on the HTTP engine the http-server plugin and the admin API use
// (plugins/common/http_engine): bounded headers and connections, a deadline on
// every wait for a client, so slow or flooding clients cannot keep probes out.
// Thread-safety: requests run on the engine's two I/O threads; start/stop are
// serialized by the host.
#pragma once

#include <hyperion/plugin.hpp>
#include <hyperion/services/http_server.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "health_endpoints.h"
#include "http_engine/engine.h"
#include "http_engine/in_process_routes.h"

namespace hyperion::plugins::health {

class HealthPlugin final : public http_engine::Observer {
 public:
  HealthPlugin(hyperion::Context& ctx, const boost::json::object& config);
  ~HealthPlugin();

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();

  // Observer: probes are not logged (they arrive every few seconds).
  void request_finished(const http_engine::RequestRecord&) override {}
  void handler_failed(std::string_view route, std::string_view what) override;
  [[nodiscard]] const hyperion::trace::Tracer* tracer() const override { return nullptr; }

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
  uint32_t max_connections_;
  std::chrono::milliseconds header_timeout_;
  const bool details_;  // show instances' details in ?verbose answers
  std::string url_;
  std::optional<hyperion::ServiceHandle> host_health_;
  http_engine::InProcessRoutes routes_;  // declared before the engine: it outlives the calls
  std::unique_ptr<http_engine::Engine> engine_;
  std::mutex cache_mu_;
  std::string cached_text_;
  std::shared_ptr<const boost::json::object> cached_;
  static constexpr size_t kMaxCachedAnswers = 64;
  std::map<std::pair<std::string, bool>, Answer> answers_;
};

}  // namespace hyperion::plugins::health
