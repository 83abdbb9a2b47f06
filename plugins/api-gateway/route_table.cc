#include "route_table.h"

#include <algorithm>

namespace hyperion::plugins::api_gateway {

RouteTable::RouteTable(std::shared_ptr<const GatewayConfig> config,
                       std::map<std::string, std::shared_ptr<RateLimiter>> limiters)
    : config_(std::move(config)), limiters_(std::move(limiters)) {
  for (const RouteSpec& r : config_->routes) groups_[{r.method, r.path, r.host}].push_back(&r);
  for (auto& [key, routes] : groups_) {
    std::stable_sort(routes.begin(), routes.end(),
                     [](const RouteSpec* a, const RouteSpec* b) { return a->priority > b->priority; });
  }
}

std::vector<RouteKey> RouteTable::keys() const {
  std::vector<RouteKey> out;
  out.reserve(groups_.size());
  for (const auto& [key, routes] : groups_) out.push_back(key);
  return out;
}

const RouteSpec* RouteTable::select(const RouteKey& key, const hyperion::http::Request& request) const {
  auto it = groups_.find(key);
  if (it == groups_.end()) return nullptr;
  for (const RouteSpec* r : it->second) {
    const bool matches = std::all_of(r->headers.begin(), r->headers.end(), [&](const auto& condition) {
      auto value = request.header(condition.first);
      return value && *value == condition.second;
    });
    if (matches) return r;
  }
  return nullptr;
}

RateLimiter* RouteTable::limiter(const std::string& name) const {
  auto it = limiters_.find(name);
  return it == limiters_.end() ? nullptr : it->second.get();
}

}  // namespace hyperion::plugins::api_gateway
