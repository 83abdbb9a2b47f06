#include "tracing.h"

#include <hyperion/services/trace.hpp>

#include <chrono>
#include <cstring>

namespace hyperion::plugins::tracing {
namespace {

uint64_t now_unix_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::string text(hyperion_str_t s) { return s.size == 0 ? std::string() : std::string(s.data, s.size); }

SpanRecord* record_of(const hyperion_trace_span_t* span) {
  return span == nullptr ? nullptr : static_cast<SpanRecord*>(span->recording);
}

AttributeValue value_of(const hyperion_trace_attribute_t& a, size_t max_length) {
  AttributeValue v;
  v.type = a.type;
  switch (a.type) {
    case HYPERION_ATTR_INT:
    case HYPERION_ATTR_BOOL: v.int_value = a.int_value; break;
    case HYPERION_ATTR_DOUBLE: v.double_value = a.double_value; break;
    default: v.type = HYPERION_ATTR_STRING; v.string_value = text(a.string_value).substr(0, max_length);
  }
  return v;
}

// Sets `attrs` into `into`: a key already there takes the new value; past
// `limits.max_attributes` keys are dropped and counted.
void apply(Attributes& into, uint32_t& dropped, const hyperion_trace_attribute_t* attrs, size_t count,
           const Limits& limits) {
  if (attrs == nullptr) return;
  for (size_t i = 0; i < count; ++i) {
    std::string key = text(attrs[i].key);
    if (key.empty()) continue;
    AttributeValue v = value_of(attrs[i], limits.max_attribute_length);
    bool replaced = false;
    for (auto& [k, old] : into) {
      if (k == key) {
        old = std::move(v);
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    if (into.size() >= limits.max_attributes) {
      ++dropped;
      continue;
    }
    into.emplace_back(std::move(key), std::move(v));
  }
}

}  // namespace

const hyperion_trace_v1_t TracingPlugin::kService = {sizeof(hyperion_trace_v1_t),    &TracingPlugin::start_span,
                                                     &TracingPlugin::set_attributes, &TracingPlugin::add_event,
                                                     &TracingPlugin::set_status,     &TracingPlugin::end_span};

TracingPlugin::TracingPlugin(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx),
      config_(parse_config(config)),
      // Made here so a bad endpoint fails create, naming the field; start hands it to the processor.
      exporter_(config_.exporter_type == "otlp_http" ? make_otlp_http_exporter(config_.otlp)
                                                     : make_file_exporter(config_.file_path)) {
  sampler_.store(config_.sampler);
  limits_.store(config_.limits);
}

TracingPlugin::~TracingPlugin() {
  accepting_ = nullptr;
  processor_.reset();
}

void TracingPlugin::start(hyperion::Deadline) {
  ctx_.describe_metric("tracing_export_duration_seconds",
                       "How long one export of a batch of spans took, in seconds (retries included).");
  ctx_.describe_metric("tracing_export_failures_total",
                       "Batches of spans the exporter could not deliver after its retries.");
  ctx_.describe_metric("tracing_export_retries_total",
                       "Export attempts retried after a failure or a 429/503 from the collector.");
  ctx_.describe_metric("tracing_spans_started_total", "Spans started through this tracing instance, sampled or not.");
  ctx_.describe_metric("tracing_spans_sampled_total", "Spans the sampler kept (recorded and queued for export).");
  ctx_.describe_metric("tracing_spans_exported_total", "Spans the collector accepted.");
  ctx_.describe_metric("tracing_spans_dropped_total",
                       "Sampled spans that were not exported, by reason (queue_full, export_failed, stopped).");
  if (!processor_) {
    BatchObserver observer;
    observer.exported = [this](size_t spans, double seconds) {
      exported_ += spans;
      ctx_.histogram_observe("tracing_export_duration_seconds", seconds);
      std::lock_guard lock(status_mu_);
      last_error_.clear();
    };
    observer.export_failed = [this](size_t spans, const std::string& error) {
      dropped_failed_ += spans;
      ctx_.counter_add("tracing_export_failures_total", 1);
      ctx_.warn("dropped " + std::to_string(spans) + " spans: " + error);
      std::lock_guard lock(status_mu_);
      last_error_ = error;
    };
    observer.retrying = [this](const std::string& error) {
      ctx_.counter_add("tracing_export_retries_total", 1);
      if (ctx_.logs(HYPERION_LOG_DEBUG)) ctx_.debug("export will be retried: " + error);
    };
    observer.tick = [this](uint64_t dropped_full, size_t queued) {
      dropped_full_ = dropped_full;
      queued_ = queued;
      publish_counters();
    };
    processor_ = std::make_unique<BatchProcessor>(config_.batch, Resource{config_.service_name, ""},
                                                  std::move(exporter_), std::move(observer));
  }
  accepting_ = processor_.get();
  ctx_.info("exporting spans of " + config_.service_name + " to " +
            (config_.exporter_type == "otlp_http" ? config_.otlp.endpoint : "file " + config_.file_path));
}

void TracingPlugin::stop(hyperion::Deadline deadline) {
  // Spans that end from now on are dropped (counted); what is queued goes out
  // within the stop deadline (a little before it, to leave time to return).
  accepting_ = nullptr;
  if (processor_) {
    const auto now = std::chrono::steady_clock::now();
    const auto until = now + (deadline.time_point() - now) * 9 / 10;
    if (!processor_->flush(until)) ctx_.warn("stop: spans still queued at the deadline were dropped");
  }
  publish_counters();
}

hyperion::HealthReport TracingPlugin::health() {
  hyperion::HealthReport r;
  auto sampler = sampler_.load();
  r.details["exporter"] = config_.exporter_type == "otlp_http" ? config_.otlp.endpoint : config_.file_path;
  r.details["sampler"] =
      boost::json::object{{"type", sampler->type() == Sampler::Type::kAlwaysOn    ? "always_on"
                                   : sampler->type() == Sampler::Type::kAlwaysOff ? "always_off"
                                   : sampler->type() == Sampler::Type::kRatio     ? "ratio"
                                                                                  : "parent_based_ratio"},
                          {"ratio", sampler->ratio()}};
  r.details["queued"] = queued_.load();
  r.details["spans"] = boost::json::object{{"started", started_.load()},
                                           {"sampled", sampled_.load()},
                                           {"exported", exported_.load()},
                                           {"dropped_queue_full", dropped_full_.load()},
                                           {"dropped_export_failed", dropped_failed_.load()}};
  std::lock_guard lock(status_mu_);
  if (!last_error_.empty()) {
    r.status = hyperion::HealthStatus::kDegraded;
    r.message = "exporting spans fails: " + last_error_;
  }
  return r;
}

void TracingPlugin::publish_counters() {
  const uint64_t now[5] = {started_.load(), sampled_.load(), exported_.load(), dropped_failed_.load(),
                           dropped_stopped_.load()};
  const uint64_t full = dropped_full_.load();
  std::lock_guard lock(published_mu_);
  static const char* const kNames[3] = {"tracing_spans_started_total", "tracing_spans_sampled_total",
                                        "tracing_spans_exported_total"};
  for (int i = 0; i < 3; ++i) {
    if (now[i] > published_[i]) ctx_.counter_add(kNames[i], static_cast<double>(now[i] - published_[i]));
    published_[i] = now[i];
  }
  auto dropped = [&](uint64_t value, uint64_t& published, const char* reason) {
    if (value > published) {
      ctx_.counter_add("tracing_spans_dropped_total", static_cast<double>(value - published),
                       hyperion::labels({{"reason", reason}}));
    }
    published = value;
  };
  dropped(now[3], published_[3], "export_failed");
  dropped(now[4], published_[4], "stopped");
  dropped(full, published_full_, "queue_full");
}

void TracingPlugin::reload_prepare(const boost::json::object& config, const boost::json::array&) {
  TracingConfig next = parse_config(config);
  prepared_sampler_ = next.sampler;
  prepared_limits_ = next.limits;
}

void TracingPlugin::reload_commit() {
  if (prepared_sampler_) sampler_.store(std::exchange(prepared_sampler_, nullptr));
  if (prepared_limits_) limits_.store(std::exchange(prepared_limits_, nullptr));
}

void TracingPlugin::reload_abort() {
  prepared_sampler_.reset();
  prepared_limits_.reset();
}

hyperion::ServiceRef TracingPlugin::get_service(std::string_view api, uint32_t api_major) {
  if (api != HYPERION_TRACE_API || api_major != HYPERION_TRACE_MAJOR) return {};
  return {&kService, this, 0};
}

hyperion_status_t TracingPlugin::start_span(void* ctx, const hyperion_trace_span_start_t* start,
                                            hyperion_trace_span_t* out, hyperion_error_t* err) {
  auto* self = static_cast<TracingPlugin*>(ctx);
  if (start == nullptr || out == nullptr || start->struct_size < sizeof(hyperion_trace_span_start_t)) {
    if (err != nullptr) hyperion_error_set(err, HYPERION_ERR_INVALID_ARGUMENT, "start_span: NULL or short arguments");
    return HYPERION_ERR_INVALID_ARGUMENT;
  }
  ++self->started_;
  const auto parent = hyperion::trace::SpanContext::parse(to_view(start->traceparent));
  if (parent) {
    std::memcpy(out->trace_id, parent->trace_id, 16);
  } else {
    hyperion::trace::detail::random_bytes(out->trace_id, 16);
  }
  hyperion::trace::detail::random_bytes(out->span_id, 8);
  const bool sampled = self->sampler_.load()->sample(out->trace_id, parent ? (parent->sampled() ? 1 : 0) : -1);
  out->flags = sampled ? 1 : 0;
  out->recording = nullptr;
  if (!sampled || self->accepting_.load() == nullptr) return HYPERION_OK;
  ++self->sampled_;
  auto record = std::make_unique<SpanRecord>();
  std::memcpy(record->trace_id, out->trace_id, 16);
  std::memcpy(record->span_id, out->span_id, 8);
  if (parent) {
    std::memcpy(record->parent_span_id, parent->span_id, 8);
    record->has_parent = true;
  }
  record->trace_state = text(start->tracestate);
  record->name = text(start->name);
  record->kind = start->kind >= HYPERION_SPAN_INTERNAL && start->kind <= HYPERION_SPAN_CONSUMER
                     ? start->kind
                     : HYPERION_SPAN_INTERNAL;
  record->start_unix_ns = start->start_time_unix_ns != 0 ? start->start_time_unix_ns : now_unix_ns();
  apply(record->attributes, record->dropped_attributes, start->attributes, start->attribute_count,
        *self->limits_.load());
  out->recording = record.release();
  return HYPERION_OK;
}

void TracingPlugin::set_attributes(void* ctx, hyperion_trace_span_t* span, const hyperion_trace_attribute_t* attributes,
                                   size_t count) {
  SpanRecord* r = record_of(span);
  if (r == nullptr) return;
  apply(r->attributes, r->dropped_attributes, attributes, count, *static_cast<TracingPlugin*>(ctx)->limits_.load());
}

void TracingPlugin::add_event(void* ctx, hyperion_trace_span_t* span, hyperion_str_t name, uint64_t time_unix_ns,
                              const hyperion_trace_attribute_t* attributes, size_t count) {
  SpanRecord* r = record_of(span);
  if (r == nullptr) return;
  auto limits = static_cast<TracingPlugin*>(ctx)->limits_.load();
  if (r->events.size() >= limits->max_events) {
    ++r->dropped_events;
    return;
  }
  SpanEvent e;
  e.name = text(name);
  e.time_unix_ns = time_unix_ns != 0 ? time_unix_ns : now_unix_ns();
  uint32_t dropped = 0;
  apply(e.attributes, dropped, attributes, count, *limits);
  r->events.push_back(std::move(e));
}

void TracingPlugin::set_status(void*, hyperion_trace_span_t* span, hyperion_span_status_t code,
                               hyperion_str_t message) {
  SpanRecord* r = record_of(span);
  if (r == nullptr) return;
  r->status_code = code == HYPERION_SPAN_STATUS_OK || code == HYPERION_SPAN_STATUS_ERROR ? code : 0;
  // OTLP: only an error carries a message.
  r->status_message = r->status_code == HYPERION_SPAN_STATUS_ERROR ? text(message) : std::string();
}

void TracingPlugin::end_span(void* ctx, hyperion_trace_span_t* span, uint64_t end_time_unix_ns) {
  auto* self = static_cast<TracingPlugin*>(ctx);
  std::unique_ptr<SpanRecord> r(record_of(span));
  if (!r) return;
  span->recording = nullptr;
  r->end_unix_ns = end_time_unix_ns != 0 ? end_time_unix_ns : now_unix_ns();
  if (r->end_unix_ns < r->start_unix_ns) r->end_unix_ns = r->start_unix_ns;
  BatchProcessor* processor = self->accepting_.load();
  if (processor == nullptr) {
    ++self->dropped_stopped_;
    return;
  }
  (void)processor->add(std::move(r));  // a full queue drops and counts it
}

}  // namespace hyperion::plugins::tracing
