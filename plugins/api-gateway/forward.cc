// Gateway::forward_grpc and forward_http: one request to its upstream and the
// answer back, without holding a server thread while the upstream works (the
// answer is deferred and sent from the client's thread).
#include <boost/json.hpp>

#include <array>
#include <stdexcept>

#include "api_gateway.h"
#include "ascii.h"
#include "forward.h"
#include "grpc_code_names.h"
#include "grpc_to_http.h"
#include "templates.h"

namespace hyperion::plugins::api_gateway {
namespace {

namespace json = boost::json;
using hyperion::http::Problem;

// Headers that describe one connection, not the request (RFC 9110 §7.6.1),
// and those the client or server sets itself.
bool hop_by_hop(std::string_view name) {
  static constexpr std::array<std::string_view, 10> kNames = {
      "connection", "keep-alive", "proxy-connection", "te",         "trailer", "transfer-encoding",
      "upgrade",    "host",       "content-length",   "traceparent"};
  const std::string lower = lower_ascii(name);
  return std::find(kNames.begin(), kNames.end(), lower) != kNames.end() || lower.starts_with("proxy-");
}

bool carries_claim(const GatewayConfig& config, const std::string& lower_name) {
  if (!config.jwt) return false;
  for (const auto& [claim, name] : config.jwt->settings().forward) {
    if (name == lower_name) return true;
  }
  return false;
}

}  // namespace

PathParams path_params(const RouteSpec& route, const hyperion::http::Request& request) {
  PathParams out;
  for (const std::string& name : route.path_params) out.emplace(name, request.param(name));
  return out;
}

// The (header or metadata name, text) pairs auth.jwt.forward makes of `claims`.
std::vector<std::pair<std::string, std::string>> forwarded_claims(const GatewayConfig& config, const Claims& claims) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!config.jwt || claims.empty()) return out;
  for (const auto& [claim, name] : config.jwt->settings().forward) {
    if (const auto* v = claims.if_contains(claim)) out.emplace_back(name, claim_text(*v));
  }
  return out;
}

void Gateway::forward_grpc(const std::shared_ptr<const RouteTable>& table, const RouteSpec& route, const Claims& claims,
                           Started started, const hyperion::http::Request& request,
                           hyperion::http::Response& response) {
  const RouteSpec::Grpc& grpc = *route.grpc;
  const ProtoCatalog& catalog = *table->config().catalog;
  std::string body_json;
  std::vector<FieldValue> fields;
  if (grpc.body) {
    body_json = json::serialize(fill_template(*grpc.body, path_params(route, request), nullptr));
  } else {
    if (!request.body().empty()) {
      if (!hyperion::http::is_json_media_type(request.header("content-type").value_or(""))) {
        throw Problem(415, "the body must be application/json");
      }
      body_json = std::string(request.body());
      // A google.api.http "body: field": the HTTP body is that field only.
      if (!grpc.body_field.empty()) body_json = "{\"" + grpc.body_field + "\":" + body_json + "}";
    }
    for (const std::string& name : route.path_params) {
      auto mapped = grpc.param_fields.find(name);
      const std::string& field = mapped == grpc.param_fields.end() ? name : mapped->second;
      fields.push_back({field, std::string(request.param(name)), "path parameter " + field});
    }
    for (const auto& [key, value] : request.queries()) {
      fields.push_back({std::string(key), std::string(value), "query parameter " + std::string(key)});
    }
  }
  std::string message;
  try {
    message = catalog.request_bytes(grpc.method, body_json, fields);
  } catch (const std::invalid_argument& e) {
    throw Problem(400, e.what());
  }
  hyperion::grpc::CallOptions options;
  options.with_timeout(route.timeout).with_traceparent(std::string(request.traceparent()));
  for (const auto& [name, value] : forwarded_claims(table->config(), claims)) options.with_metadata(name, value);
  hyperion::http::Deferred answer = response.defer();
  const Started upstream_started = GatewayMetrics::Clock::now();
  // Metrics are recorded before the answer: once it is sent, the gateway may stop.
  auto reply_fn = [this, table, &route, answer, started, upstream_started,
                   traceparent = options.traceparent](hyperion::grpc::Reply reply) mutable {
    const char* code = code_name(reply.code);
    metrics_.upstream(route.label, route.upstream, code, upstream_started, traceparent);
    if (!reply.ok()) {
      Problem p(http_status_of(reply.code), reply.message.empty() ? std::string(code) : reply.message,
                {{"grpc_code", code}});
      metrics_.request(route.label, p.status(), started);
      answer.problem(p);
      return;
    }
    std::string body;
    try {
      body = table->config().catalog->reply_json(route.grpc->method, reply.response, table->config().json,
                                                 route.grpc->response_field);
    } catch (const std::exception& e) {
      metrics_.request(route.label, 502, started);
      answer.problem(Problem(502, e.what()));
      return;
    }
    metrics_.request(route.label, 200, started);
    answer.send(200, body, "application/json");
  };
  try {
    grpc_->unary_async(grpc.target, grpc.method.path, message, options, std::move(reply_fn));
  } catch (const hyperion::Error& e) {
    // The client refused the call (an unknown target, stopping): not the caller's fault.
    metrics_.upstream(route.label, route.upstream, "error", upstream_started, options.traceparent);
    metrics_.request(route.label, 502, started);
    answer.problem(Problem(502, route.where + ": " + e.what()));
  }
}

void Gateway::forward_http(const std::shared_ptr<const RouteTable>& table, const RouteSpec& route, const Claims& claims,
                           Started started, const hyperion::http::Request& request,
                           hyperion::http::Response& response) {
  const auto identity = forwarded_claims(table->config(), claims);
  hyperion::http::client::Request upstream;
  upstream.method = std::string(request.method());
  // The URL with the path parameters in place, then the request's own query.
  upstream.url = fill_url(route.http_url, path_params(route, request), nullptr);
  const std::string_view target = request.target();
  if (const size_t q = target.find('?'); q != std::string_view::npos) {
    upstream.url.append(upstream.url.find('?') == std::string::npos ? "?" : "&").append(target.substr(q + 1));
  }
  std::string forwarded_for;
  for (const auto& [name, value] : request.headers()) {
    if (hop_by_hop(name)) continue;
    const std::string lower = lower_ascii(name);
    // A client must not pose as a user: headers that carry claims come from the token only.
    if (carries_claim(table->config(), lower)) continue;
    if (lower == "x-forwarded-for") {
      forwarded_for = std::string(value) + ", ";
      continue;
    }
    upstream.headers.emplace_back(std::string(name), std::string(value));
  }
  for (const auto& [name, value] : identity) upstream.headers.emplace_back(name, value);
  upstream.headers.emplace_back("x-forwarded-for", forwarded_for + client_address(request.peer()));
  if (auto host = request.header("host")) upstream.headers.emplace_back("x-forwarded-host", std::string(*host));
  upstream.body = std::string(request.body());
  upstream.timeout = route.timeout;
  upstream.traceparent = std::string(request.traceparent());
  hyperion::http::Deferred answer = response.defer();
  const Started upstream_started = GatewayMetrics::Clock::now();
  http_->request_async(upstream, [this, table, &route, answer, started, upstream_started,
                                  traceparent = upstream.traceparent](hyperion::http::client::Result result) mutable {
    if (result.status != HYPERION_OK) {
      const int status = result.status == HYPERION_ERR_DEADLINE_EXCEEDED ? 504 : 502;
      metrics_.upstream(route.label, route.upstream, "error", upstream_started, traceparent);
      metrics_.request(route.label, status, started);
      answer.problem(Problem(status, route.where + ": " + result.error));
      return;
    }
    metrics_.upstream(route.label, route.upstream, std::to_string(result.response.status), upstream_started,
                      traceparent);
    metrics_.request(route.label, result.response.status, started);
    std::string content_type = "application/octet-stream";
    for (const auto& [name, value] : result.response.headers) {
      if (name == "content-type") {
        content_type = value;
      } else if (!hop_by_hop(name)) {
        answer.header(name, value);
      }
    }
    answer.send(result.response.status, result.response.body, content_type);
  });
}

}  // namespace hyperion::plugins::api_gateway
