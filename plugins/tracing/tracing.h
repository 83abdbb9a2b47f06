// TracingPlugin: provides trace 1.0. start_span samples (no allocation for an
// unsampled span), the span records what the caller sets within the limits,
// and end_span hands it to the BatchProcessor, which exports it on its own
// thread. Counters are atomics on the span path and reach the host's metrics
// from the worker's tick. Degraded while exports fail.
// Thread-safety: the service functions from any thread (one span: one owner
// at a time); lifecycle and reload hooks are serialized by the host.
#pragma once

#include <hyperion/services/trace.h>
#include <hyperion/plugin.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "batch_processor.h"
#include "tracing_config.h"

namespace hyperion::plugins::tracing {

class TracingPlugin {
 public:
  TracingPlugin(hyperion::Context& ctx, const boost::json::object& config);
  ~TracingPlugin();

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const boost::json::object& config, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();
  hyperion::ServiceRef get_service(std::string_view api, uint32_t api_major);

 private:
  static const hyperion_trace_v1_t kService;
  static hyperion_status_t start_span(void* ctx, const hyperion_trace_span_start_t* start, hyperion_trace_span_t* out,
                                      hyperion_error_t* err);
  static void set_attributes(void* ctx, hyperion_trace_span_t* span, const hyperion_trace_attribute_t* attributes,
                             size_t count);
  static void add_event(void* ctx, hyperion_trace_span_t* span, hyperion_str_t name, uint64_t time_unix_ns,
                        const hyperion_trace_attribute_t* attributes, size_t count);
  static void set_status(void* ctx, hyperion_trace_span_t* span, hyperion_span_status_t code, hyperion_str_t message);
  static void end_span(void* ctx, hyperion_trace_span_t* span, uint64_t end_time_unix_ns);

  void publish_counters();

  hyperion::Context& ctx_;
  TracingConfig config_;
  std::unique_ptr<Exporter> exporter_;  // until start gives it to processor_
  std::atomic<std::shared_ptr<const Sampler>> sampler_;
  std::atomic<std::shared_ptr<const Limits>> limits_;
  std::shared_ptr<const Sampler> prepared_sampler_;
  std::shared_ptr<const Limits> prepared_limits_;
  std::unique_ptr<BatchProcessor> processor_;
  std::atomic<BatchProcessor*> accepting_{nullptr};  // processor_ while started

  std::atomic<uint64_t> started_{0};
  std::atomic<uint64_t> sampled_{0};
  std::atomic<uint64_t> exported_{0};
  std::atomic<uint64_t> dropped_failed_{0};
  std::atomic<uint64_t> dropped_stopped_{0};
  // From the worker's tick: the worker never reads processor_ (start is still
  // assigning it when the worker runs first).
  std::atomic<uint64_t> dropped_full_{0};
  std::atomic<uint64_t> queued_{0};
  // What the host's counters already have, so each tick adds the difference.
  std::mutex published_mu_;
  uint64_t published_[5]{};
  uint64_t published_full_ = 0;

  std::mutex status_mu_;
  std::string last_error_;  // the last export failure, cleared by a success
};

}  // namespace hyperion::plugins::tracing
