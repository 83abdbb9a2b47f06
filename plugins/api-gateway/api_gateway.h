// Gateway: the api-gateway plugin. It registers each route's (method, path,
// host) with the http-server service and forwards what arrives to the route's
// upstream: a gRPC method through the grpc-client service (the JSON request
// translated to the method's message and the reply back to JSON), or an HTTP
// URL through the http-client service (discovery:// included).
// Reload: every field is dynamic. prepare builds the next generation (loads
// the descriptors, resolves every route) and registers the keys it adds;
// commit swaps the generation in one step — a request sees the old table or
// the new one, never a mix — and releases the keys it dropped; abort releases
// what prepare registered.
// Thread-safety: handlers run on the http-server's threads and answer from
// the clients' threads; lifecycle and reload calls are serialized by the host.
#pragma once

#include <hyperion/plugin.hpp>
#include <hyperion/services/grpc_client.hpp>
#include <hyperion/services/http_client.hpp>
#include <hyperion/services/http_server.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway_metrics.h"
#include "route_table.h"

namespace hyperion::plugins::api_gateway {

// A verified token's claims; empty when the route took no token.
using Claims = boost::json::object;

class Gateway {
 public:
  // When a request reached its route (for the duration metrics).
  using Started = GatewayMetrics::Clock::time_point;

  Gateway(hyperion::Context& ctx, const boost::json::object& config);
  ~Gateway();

  void start(hyperion::Deadline deadline);
  void stop(hyperion::Deadline deadline);
  hyperion::HealthReport health();
  void reload_prepare(const boost::json::object& config, const boost::json::array& diff);
  void reload_commit();
  void reload_abort();

 private:
  // Throws naming the route when a route needs a client the manifest lacks.
  void check_upstreams(const RouteTable& table) const;
  // Registers `key` with the http-server; the handler reads the table in force.
  hyperion::http::Registration register_key(const RouteKey& key);
  void handle(const RouteKey& key, const hyperion::http::Request& request, hyperion::http::Response& response);
  // The route's auth: the claims of a valid token (empty without one, when
  // optional), or nullopt after answering 401/403 itself.
  std::optional<Claims> authenticate(const RouteTable& table, const RouteSpec& route, Started started,
                                     const hyperion::http::Request& request, hyperion::http::Response& response);
  // The route's rate limit: true to go on; false after answering 429.
  bool admit(const RouteTable& table, const RouteSpec& route, const LimitSpec& spec, const Claims& claims,
             Started started, const hyperion::http::Request& request, hyperion::http::Response& response);
  void forward_grpc(const std::shared_ptr<const RouteTable>& table, const RouteSpec& route, const Claims& claims,
                    Started started, const hyperion::http::Request& request, hyperion::http::Response& response);
  void aggregate(const std::shared_ptr<const RouteTable>& table, const RouteSpec& route, const Claims& claims,
                 Started started, const hyperion::http::Request& request, hyperion::http::Response& response);
  void forward_http(const std::shared_ptr<const RouteTable>& table, const RouteSpec& route, const Claims& claims,
                    Started started, const hyperion::http::Request& request, hyperion::http::Response& response);
  // Starts (or restarts, with the table in force) the JWKS file watch.
  void watch_jwks();
  void check_jwks();

  hyperion::Context& ctx_;
  GatewayMetrics metrics_{ctx_};
  // The JWKS in force (rotated when the file changes) and the watch's state.
  std::atomic<std::shared_ptr<const JwtKeys>> keys_;
  std::mutex jwks_mu_;
  std::string jwks_path_;
  int64_t jwks_stamp_ = 0;  // mtime ns ^ size of the file last read
  std::string jwks_error_;  // why the last change was not taken; empty when it was
  uint64_t jwks_timer_ = 0;
  std::shared_ptr<const RouteTable> initial_;
  std::atomic<std::shared_ptr<const RouteTable>> table_;
  std::unique_ptr<hyperion::grpc::Client> grpc_;
  std::unique_ptr<hyperion::http::Client> http_;
  std::unique_ptr<hyperion::http::Server> server_;
  std::map<RouteKey, hyperion::http::Registration> registrations_;
  // Between prepare and commit/abort.
  std::shared_ptr<const RouteTable> prepared_;
  std::vector<RouteKey> prepared_added_;
};

}  // namespace hyperion::plugins::api_gateway
