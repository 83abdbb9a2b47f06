// The gateway's configuration, checked and resolved: every route with its
// upstream (a gRPC method found in the descriptors, or an HTTP URL), its
// matching rules and its timeout. One GatewayConfig is one generation: a
// reload builds a new one beside the running one and swaps it whole.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jwt_verifier.h"
#include "proto_catalog.h"
#include "rate_limiter.h"

namespace hyperion::plugins::api_gateway {

enum class AuthMode { kNone, kOptional, kRequired };

struct RouteSpec {
  std::string where;   // "routes[2]" (and its name, when it has one), for errors and logs
  std::string label;   // its name, or "METHOD path": the metrics' route label
  std::string method;  // "GET", or "*"
  std::string path;    // the http-server template: "/api/users/{id}"
  std::string host;    // empty: any
  // Header values the request must carry (names lower case) for this route
  // to take it; routes sharing method, path and host are tried by priority.
  std::map<std::string, std::string> headers;
  int64_t priority = 0;
  std::chrono::milliseconds timeout{0};
  std::vector<std::string> path_params;  // the template's parameter names
  // Bearer tokens: none (not looked at), optional (checked when sent),
  // required (401 without a valid one); then the scopes and roles the token
  // must grant (403 otherwise).
  AuthMode auth = AuthMode::kNone;
  std::set<std::string> scopes;
  std::set<std::string> roles;
  std::string rate_limit;  // a rate_limits name; empty: none

  // Exactly one upstream.
  struct Grpc {
    std::string target;  // a grpc-client target
    RpcMethod method;
    // The request message as a JSON template ("{id}" replaced by path
    // parameters); without it, the body, path and query parameters make it.
    std::optional<boost::json::object> body;
    // From a google.api.http binding: the field the HTTP body fills (empty or
    // "*": the whole message), the reply field that is the answer (empty: the
    // whole reply), and the field each path parameter fills when its name is
    // not the field's ("book__id" -> "book.id").
    std::string body_field;
    std::string response_field;
    std::map<std::string, std::string> param_fields;
  };
  std::optional<Grpc> grpc;
  std::string http_url;  // "http://auth:8080/login", "discovery://auth/login/{id}"
  std::string upstream;  // "users /users.v1.Users/GetUser" or "http://auth:8080": the metrics' upstream label

  // An aggregate route: several upstream calls, composed into one JSON object
  // keyed by part name. A part's templates may use "${other.field}" from
  // another part's result: it then starts once that part has answered; parts
  // that need none start at once, in parallel.
  struct Part {
    std::string name;
    std::optional<Grpc> grpc;
    std::string http_url;  // GET
    std::string upstream;  // as RouteSpec::upstream
    enum class OnError { kFail, kOmit, kNull } on_error = OnError::kFail;
    std::set<std::string> needs;
  };
  std::vector<Part> parts;
};

// A named rate limit: its buckets' settings and what one bucket is for.
struct LimitSpec {
  RateLimit limit;
  enum class Key { kClientIp, kSubject, kHeader } key = Key::kClientIp;
  std::string header;  // lower case, for Key::kHeader
  bool operator==(const LimitSpec&) const = default;
};

struct GatewayConfig {
  std::shared_ptr<const ProtoCatalog> catalog;
  JsonStyle json;
  // With auth.jwt: how tokens are checked, the keys as read now, and how often
  // the JWKS file is looked at for a change.
  std::shared_ptr<const JwtVerifier> jwt;
  std::shared_ptr<const JwtKeys> jwks;
  std::chrono::milliseconds jwks_check_interval{1000};
  std::map<std::string, LimitSpec> rate_limits;
  std::vector<RouteSpec> routes;
};

// `config` is already validated against plugin.json's schema. Throws
// hyperion::Error (HYPERION_ERR_INVALID_ARGUMENT) naming the field: a
// descriptor file that does not load, a method it does not have, a path
// parameter the request message has no field for, two routes that would
// always shadow each other.
GatewayConfig parse_config(const boost::json::object& config);

// Reads and parses a JWKS file; throws hyperion::Error naming the file.
std::shared_ptr<const JwtKeys> load_jwks(const std::string& path);

// The metrics' label of an upstream: a gRPC target and method, or a URL's
// scheme and authority.
std::string upstream_label(const std::optional<RouteSpec::Grpc>& grpc, const std::string& http_url);

// The parameter names of a path template, in order ("/a/{id}/{rest...}" ->
// id, rest).
std::vector<std::string> template_params(const std::string& path);

}  // namespace hyperion::plugins::api_gateway
