#include "api_gateway.h"

#include <hyperion/services/grpc_client.h>
#include <hyperion/services/http_client.h>
#include <hyperion/services/http_server.h>

#include <algorithm>

namespace hyperion::plugins::api_gateway {

namespace {

// The next generation's table; its rate limiters are the running ones where a
// limit keeps its name and key (their buckets keep their levels; new settings
// apply at commit), new ones elsewhere.
std::shared_ptr<const RouteTable> table_of(const boost::json::object& config, const RouteTable* running) {
  auto parsed = std::make_shared<const GatewayConfig>(parse_config(config));
  std::map<std::string, std::shared_ptr<RateLimiter>> limiters;
  for (const auto& [name, spec] : parsed->rate_limits) {
    const LimitSpec* before = nullptr;
    if (running != nullptr) {
      auto it = running->config().rate_limits.find(name);
      if (it != running->config().rate_limits.end()) before = &it->second;
    }
    if (before != nullptr && before->key == spec.key && before->header == spec.header) {
      limiters[name] = running->limiters().at(name);
    } else {
      limiters[name] = std::make_shared<RateLimiter>(spec.limit);
    }
  }
  return std::make_shared<const RouteTable>(std::move(parsed), std::move(limiters));
}

// One acquire of an optional service: null when the manifest has no provider.
template <typename Client>
std::unique_ptr<Client> optional_client(hyperion::Context& ctx, const char* api, uint32_t major) {
  try {
    return std::make_unique<Client>(ctx.acquire(api, major));
  } catch (const hyperion::Error& e) {
    if (e.code() != HYPERION_ERR_NOT_FOUND) throw;
    return nullptr;
  }
}

}  // namespace

Gateway::Gateway(hyperion::Context& ctx, const boost::json::object& config)
    : ctx_(ctx), initial_(table_of(config, nullptr)) {}

Gateway::~Gateway() {
  registrations_.clear();  // before the server handle they point into
}

void Gateway::check_upstreams(const RouteTable& table) const {
  for (const RouteSpec& r : table.config().routes) {
    for (const RouteSpec::Part& part : r.parts) {
      if ((part.grpc && !grpc_) || (!part.grpc && !http_)) {
        throw hyperion::Error(HYPERION_ERR_FAILED_PRECONDITION, r.where + ".aggregate." + part.name + ": needs a " +
                                                                    (part.grpc ? "grpc-client" : "http-client") +
                                                                    " instance in the manifest");
      }
    }
    if (!r.parts.empty()) continue;
    if (r.grpc && !grpc_) {
      throw hyperion::Error(HYPERION_ERR_FAILED_PRECONDITION,
                            r.where + ": a grpc route needs a grpc-client instance in the manifest");
    }
    if (!r.grpc && !http_) {
      throw hyperion::Error(HYPERION_ERR_FAILED_PRECONDITION,
                            r.where + ": an http route needs an http-client instance in the manifest");
    }
  }
}

hyperion::http::Registration Gateway::register_key(const RouteKey& key) {
  return server_->route(
      key.method, key.path,
      [this, key](const hyperion::http::Request& request, hyperion::http::Response& response) {
        handle(key, request, response);
      },
      key.host);
}

void Gateway::start(hyperion::Deadline) {
  server_ =
      std::make_unique<hyperion::http::Server>(ctx_.acquire(HYPERION_HTTP_SERVER_API, HYPERION_HTTP_SERVER_MAJOR));
  grpc_ = optional_client<hyperion::grpc::Client>(ctx_, HYPERION_GRPC_CLIENT_API, HYPERION_GRPC_CLIENT_MAJOR);
  http_ = optional_client<hyperion::http::Client>(ctx_, HYPERION_HTTP_CLIENT_API, HYPERION_HTTP_CLIENT_MAJOR);
  check_upstreams(*initial_);
  table_.store(initial_);
  watch_jwks();
  metrics_.describe();
  for (const RouteKey& key : initial_->keys()) registrations_.emplace(key, register_key(key));
  ctx_.info("routing " + std::to_string(initial_->config().routes.size()) + " route(s) on " +
            std::to_string(registrations_.size()) + " path(s)");
  initial_.reset();
}

void Gateway::stop(hyperion::Deadline deadline) {
  jwks_timer_ = 0;  // the host cancelled it before stop
  // Each release waits for the requests it started (their answers come from
  // the clients' threads), so the clients stay until every one is done.
  for (auto& [key, registration] : registrations_) registration.release(deadline);
  registrations_.clear();
  grpc_.reset();
  http_.reset();
  server_.reset();
}

hyperion::HealthReport Gateway::health() {
  auto table = table_.load();
  if (!table) return {hyperion::HealthStatus::kHealthy, "not started", {}};
  boost::json::object details{{"routes", table->config().routes.size()},
                              {"paths", table->keys().size()},
                              {"descriptor_files", table->config().catalog->file_count()}};
  if (auto keys = keys_.load()) details["jwks_keys"] = keys->size();
  std::lock_guard lock(jwks_mu_);
  if (!jwks_error_.empty()) {
    // Still serving with the previous keys: degraded, so an operator looks.
    return {hyperion::HealthStatus::kDegraded, "the JWKS file changed and was not taken: " + jwks_error_,
            std::move(details)};
  }
  return {hyperion::HealthStatus::kHealthy, "", std::move(details)};
}

void Gateway::reload_prepare(const boost::json::object& config, const boost::json::array&) {
  auto running = table_.load();
  auto next = table_of(config, running.get());
  check_upstreams(*next);
  // New paths are registered now: until commit they find no route in the
  // table in force and answer 404, as they did before.
  std::vector<RouteKey> added;
  std::map<RouteKey, hyperion::http::Registration> registered;
  for (const RouteKey& key : next->keys()) {
    if (registrations_.contains(key)) continue;
    registered.emplace(key, register_key(key));  // a refused template refuses the reload
    added.push_back(key);
  }
  for (auto& [key, registration] : registered) registrations_.emplace(key, std::move(registration));
  prepared_ = std::move(next);
  prepared_added_ = std::move(added);
}

void Gateway::reload_commit() {
  if (!prepared_) return;
  const auto keys = prepared_->keys();
  for (const auto& [name, limiter] : prepared_->limiters())
    limiter->set_limit(prepared_->config().rate_limits.at(name).limit);
  table_.store(std::exchange(prepared_, nullptr));
  prepared_added_.clear();
  watch_jwks();
  // Paths the new table no longer has: released after the swap, so requests
  // already inside finish on the old generation they hold.
  for (auto it = registrations_.begin(); it != registrations_.end();) {
    if (std::find(keys.begin(), keys.end(), it->first) == keys.end()) {
      it->second.release();
      it = registrations_.erase(it);
    } else {
      ++it;
    }
  }
}

void Gateway::reload_abort() {
  for (const RouteKey& key : prepared_added_) {
    if (auto it = registrations_.find(key); it != registrations_.end()) {
      it->second.release();
      registrations_.erase(it);
    }
  }
  prepared_added_.clear();
  prepared_.reset();
}

void Gateway::handle(const RouteKey& key, const hyperion::http::Request& request, hyperion::http::Response& response) {
  const Started started = GatewayMetrics::Clock::now();
  std::shared_ptr<const RouteTable> table = table_.load();
  const RouteSpec* route = table ? table->select(key, request) : nullptr;
  if (route == nullptr) {
    metrics_.request(key.method + " " + key.path, 404, started);
    throw hyperion::http::Problem(404, "no route of the gateway takes this request");
  }
  try {
    // A limit on client addresses or headers is taken before the token is
    // checked (a flood of forged tokens costs no signature checks); one on
    // subjects after, when the subject is known.
    const LimitSpec* limit = route->rate_limit.empty() ? nullptr : &table->config().rate_limits.at(route->rate_limit);
    const bool by_subject = limit != nullptr && limit->key == LimitSpec::Key::kSubject;
    if (limit != nullptr && !by_subject && !admit(*table, *route, *limit, {}, started, request, response)) return;
    std::optional<Claims> claims = authenticate(*table, *route, started, request, response);
    if (!claims) return;  // answered 401/403
    if (by_subject && !admit(*table, *route, *limit, *claims, started, request, response)) return;
    if (route->grpc) {
      forward_grpc(table, *route, *claims, started, request, response);
    } else if (!route->parts.empty()) {
      aggregate(table, *route, *claims, started, request, response);
    } else {
      forward_http(table, *route, *claims, started, request, response);
    }
  } catch (const hyperion::http::Problem& p) {
    if (p.status() < 500) metrics_.rejected(route->label, "bad_request");
    metrics_.request(route->label, p.status(), started);
    throw;
  }
}

}  // namespace hyperion::plugins::api_gateway
