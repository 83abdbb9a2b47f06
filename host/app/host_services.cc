#include "app/host_services.h"

#include <hyperion/services/health.h>

#include "app/host.h"
#include "graph/dependency_graph.h"
#include "hostapi/abi_guard.h"

namespace hyperion::app {
namespace {

using hostapi::guarded;

hyperion_status_t write_all(const hyperion_sink_t* out, const std::string& text, hyperion_error_t* err) {
  if (out->write(out->ctx, text.data(), text.size()) != HYPERION_OK) {
    return hyperion_error_set(err, HYPERION_ERR_INVALID_ARGUMENT, "the sink refused the output");
  }
  return HYPERION_OK;
}


hyperion_status_t snapshot(void* ctx, const hyperion_sink_t* out, hyperion_error_t* err) {
  return guarded(err, [&] { return write_all(out, static_cast<Host*>(ctx)->health().json(), err); });
}

hyperion_status_t metrics(void* ctx, const hyperion_sink_t* out, hyperion_error_t* err) {
  return guarded(err, [&] {
    return write_all(out, static_cast<Host*>(ctx)->metrics_text(metrics::Exposition::kPrometheusText), err);
  });
}

hyperion_status_t openmetrics(void* ctx, const hyperion_sink_t* out, hyperion_error_t* err) {
  return guarded(err, [&] {
    return write_all(out, static_cast<Host*>(ctx)->metrics_text(metrics::Exposition::kOpenMetrics), err);
  });
}

constexpr hyperion_health_v1_t kHealthService = {sizeof(hyperion_health_v1_t), &snapshot, &metrics, &openmetrics};

// A reload's outcome as config_propose's answer (hyperion/plugin.h): the
// revision in force, or a status decided by the typed error.
StatusOr<uint64_t> proposal_answer(const reload::ReloadResult& r, const reload::Reloader& reloads) {
  if (r.ok()) return r.revision != 0 ? r.revision : reloads.current_revision();
  StatusCode code = r.error == reload::ReloadError::kInvalidConfiguration ? StatusCode::kInvalidArgument
                    : reload::is_transient(r.error)                       ? StatusCode::kUnavailable
                                                                          : StatusCode::kAborted;
  return Status(code, r.summary());
}

}  // namespace

void Host::accept_proposals() {
  facilities_->wake_proposals = [this] { gate_.wake(); };
  facilities_->propose_config = [this](const std::string& instance, const std::string& source, const std::string& json,
                                       const std::atomic<bool>& stopping) {
    return proposal_answer(reloader_->propose(instance, source, json, &stopping), *reloader_);
  };
  facilities_->propose_layer = [this](const std::string& instance, const std::string& source, const std::string& json,
                                      const std::atomic<bool>& stopping) {
    return proposal_answer(reloader_->propose_layer(instance, source, json, &stopping), *reloader_);
  };
}

void publish_host_services(Host& host) {
  host.facilities().services.publish(graph::kHostProvider, HYPERION_HEALTH_API, HYPERION_HEALTH_MAJOR,
                                     {sizeof(hyperion_service_ref_t), 1, &kHealthService, &host});
}

}  // namespace hyperion::app
