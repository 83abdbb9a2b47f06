// HttpClientPlugin: provides http.client 1.0. Synchronous calls run on the
// caller's thread; asynchronous ones on `workers` threads of its own. Every
// call takes the Settings in force when it starts, so a reload changes them
// without disturbing calls in flight. Reports degraded while a host's circuit
// breaker is open. Metrics per host through the host API.
// URLs discovery://<service>/path (and discovery+https://) go to an instance
// the discovery service picks, a new pick for every attempt.
// Thread-safety: calls from any thread; lifecycle and reload hooks are
// serialized by the host.
#pragma once

#include <hyperion/services/http_client.h>
#include <hyperion/plugin.hpp>
#include <hyperion/services/discovery.hpp>
#include <hyperion/services/trace.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "call_executor.h"
#include "client_settings.h"

namespace hyperion::plugins::http_client {

class HttpClientPlugin final : public CallObserver, public InstancePicker {
 public:
  HttpClientPlugin(hyperion::Context& ctx, const boost::json::object& config);
  ~HttpClientPlugin();

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const boost::json::object& config, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();
  hyperion::ServiceRef get_service(std::string_view api, uint32_t api_major);

  // CallObserver
  void attempt_done(const HostState& host, int status, double seconds, std::string_view trace_id,
                    std::string_view span_id) override;
  void retrying(const HostState& host) override;
  void breaker_state(const HostState& host, CircuitBreaker::State state) override;
  void warn(const std::string& message) override;

  // InstancePicker (discovery:// URLs), through the discovery service when one runs.
  std::optional<Picked> pick(const std::string& service, std::string& why) override;
  void report(uint64_t ticket, Outcome outcome) override;

 private:
  static const hyperion_http_client_v1_t kService;
  static void request(void* ctx, const hyperion_http_request_t* request, hyperion_http_done_fn done, void* user);
  static void request_async(void* ctx, const hyperion_http_request_t* request, hyperion_http_done_fn done, void* user);

  [[nodiscard]] std::shared_ptr<const Settings> settings() const;
  // Performs `request` (the caller's copy, used once: run may change its
  // traceparent for the client span) and completes it.
  void run(CallRequest& request, hyperion_http_done_fn done, void* user);
  void worker_loop();

  hyperion::Context& ctx_;
  const size_t workers_count_;
  // Read by every call, replaced by reload_commit: no lock for readers.
  std::atomic<std::shared_ptr<const Settings>> settings_;
  std::shared_ptr<const Settings> prepared_;
  CallExecutor executor_{*this};
  // The discovery service, when the manifest has a provider (an optional requirement).
  std::optional<hyperion::discovery::Client> discovery_;
  // Set in start (the optional "trace" requirement): client spans when it runs.
  hyperion::trace::Tracer tracer_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace hyperion::plugins::http_client
