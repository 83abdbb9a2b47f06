#include "gateway_metrics.h"

namespace hyperion::plugins::api_gateway {

void GatewayMetrics::describe() const {
  ctx_.describe_metric("gateway_requests_total", "Requests the gateway answered, by route and HTTP status code.");
  ctx_.describe_metric("gateway_request_duration_seconds",
                       "Time from a request reaching its route to the gateway's answer, in seconds, by route.");
  ctx_.describe_metric("gateway_rejected_total",
                       "Requests refused before any upstream call, by route and reason (unauthenticated, "
                       "forbidden, rate_limited, bad_request).");
  ctx_.describe_metric("gateway_upstream_requests_total",
                       "Upstream calls, by route, upstream and outcome (a gRPC code, an HTTP status, or error).");
  ctx_.describe_metric("gateway_upstream_duration_seconds", "Time of one upstream call, in seconds, by upstream.");
}

void GatewayMetrics::request(const std::string& route, int status, Clock::time_point started) const {
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  ctx_.counter_add("gateway_requests_total", 1, hyperion::labels({{"route", route}, {"code", std::to_string(status)}}));
  ctx_.histogram_observe("gateway_request_duration_seconds", seconds, hyperion::labels({{"route", route}}));
}

void GatewayMetrics::rejected(const std::string& route, std::string_view reason) const {
  ctx_.counter_add("gateway_rejected_total", 1, hyperion::labels({{"route", route}, {"reason", std::string(reason)}}));
}

void GatewayMetrics::upstream(const std::string& route, const std::string& upstream, const std::string& outcome,
                              Clock::time_point started, std::string_view traceparent) const {
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  ctx_.counter_add("gateway_upstream_requests_total", 1,
                   hyperion::labels({{"route", route}, {"upstream", upstream}, {"outcome", outcome}}));
  ctx_.histogram_observe("gateway_upstream_duration_seconds", seconds, hyperion::labels({{"upstream", upstream}}));
  if (ctx_.logs(HYPERION_LOG_DEBUG)) {
    ctx_.debug("gateway upstream route=\"" + route + "\" upstream=" + upstream + " outcome=" + outcome +
               " duration_ms=" + std::to_string(seconds * 1e3) +
               (traceparent.size() == 55 ? " trace_id=" + std::string(traceparent.substr(3, 32)) : ""));
  }
}

}  // namespace hyperion::plugins::api_gateway
