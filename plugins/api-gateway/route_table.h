// RouteTable: one generation's routes, grouped by what the http-server routes
// on (method, path template, host). Within a group the gateway picks the
// first route, by priority (highest first, then config order), whose header
// conditions the request meets.
// Thread-safety: immutable once built.
#pragma once

#include <hyperion/services/http_server.hpp>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "route_spec.h"

namespace hyperion::plugins::api_gateway {

struct RouteKey {
  std::string method;
  std::string path;
  std::string host;
  auto operator<=>(const RouteKey&) const = default;
};

class RouteTable {
 public:
  // `limiters`: one per rate_limits name (a reload hands over the running
  // ones, so buckets keep their levels).
  RouteTable(std::shared_ptr<const GatewayConfig> config, std::map<std::string, std::shared_ptr<RateLimiter>> limiters);

  [[nodiscard]] const GatewayConfig& config() const { return *config_; }
  // Every key the http-server must route to the gateway.
  [[nodiscard]] std::vector<RouteKey> keys() const;
  // The route for a request that the server routed under `key`, or null when
  // no route of that key accepts its headers.
  [[nodiscard]] const RouteSpec* select(const RouteKey& key, const hyperion::http::Request& request) const;
  [[nodiscard]] RateLimiter* limiter(const std::string& name) const;
  [[nodiscard]] const std::map<std::string, std::shared_ptr<RateLimiter>>& limiters() const { return limiters_; }

 private:
  std::shared_ptr<const GatewayConfig> config_;
  std::map<RouteKey, std::vector<const RouteSpec*>> groups_;
  std::map<std::string, std::shared_ptr<RateLimiter>> limiters_;
};

}  // namespace hyperion::plugins::api_gateway
