// Gateway::admit: a route's rate limit, answered with the headers clients and
// proxies read (Retry-After, RFC 9110; RateLimit-Limit/-Remaining/-Reset, the
// IETF httpapi draft) on every answer of a limited route.
#include <cmath>

#include "api_gateway.h"
#include "ascii.h"

namespace hyperion::plugins::api_gateway {
namespace {

std::string whole_seconds(std::chrono::milliseconds ms) {
  return std::to_string(static_cast<int64_t>(std::ceil(static_cast<double>(ms.count()) / 1000.0)));
}

}  // namespace

bool Gateway::admit(const RouteTable& table, const RouteSpec& route, const LimitSpec& spec, const Claims& claims,
                    Started started, const hyperion::http::Request& request, hyperion::http::Response& response) {
  RateLimiter* limiter = table.limiter(route.rate_limit);
  // The bucket's key, prefixed by its kind so an address never shares a bucket with a subject.
  std::string key;
  if (spec.key == LimitSpec::Key::kSubject) {
    if (const auto* sub = claims.if_contains("sub"); sub != nullptr && sub->is_string()) {
      key = "sub:" + std::string(sub->as_string());
    }
  } else if (spec.key == LimitSpec::Key::kHeader) {
    if (auto value = request.header(spec.header)) key = "hdr:" + std::string(*value);
  }
  if (key.empty()) key = "ip:" + client_address(request.peer());
  const RateLimiter::Decision d = limiter->take(key);
  response.header("RateLimit-Limit", std::to_string(static_cast<int64_t>(d.burst)));
  response.header("RateLimit-Remaining", std::to_string(static_cast<int64_t>(d.remaining)));
  response.header("RateLimit-Reset", whole_seconds(d.reset));
  if (d.allowed) return true;
  metrics_.rejected(route.label, "rate_limited");
  metrics_.request(route.label, 429, started);
  response.header("Retry-After", whole_seconds(d.retry_after));
  response.problem(hyperion::http::Problem(429, "rate limit " + route.rate_limit + " exceeded; retry in " +
                                                    whole_seconds(d.retry_after) + " s"),
                   request.path());
  return false;
}

}  // namespace hyperion::plugins::api_gateway
