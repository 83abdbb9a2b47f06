// JwtVerifier: checks a bearer token (RFC 7519 JWT in JWS compact form) the way
// an API edge must: the algorithm is one the config allows (never "none"), the
// signature holds under a key of the JWKS for exactly that algorithm family,
// "exp" is required and "nbf" honoured with a leeway, "iss" and "aud" match
// when configured, and no "crit" extension is present. Every refusal says why,
// for the WWW-Authenticate error_description.
// Thread-safety: immutable; verify from any thread.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "jwt_keys.h"

namespace hyperion::plugins::api_gateway {

struct JwtSettings {
  std::string issuer;                  // empty: any
  std::vector<std::string> audiences;  // empty: any; else "aud" must name one
  std::set<std::string> algorithms;    // of RS256, ES256, HS256
  std::chrono::seconds leeway{60};
  std::string jwks_file;
  // Claim -> header (HTTP routes) or metadata key (gRPC routes) that carries
  // it upstream; a client's own header of that name is dropped.
  std::map<std::string, std::string> forward;
};

class JwtVerifier {
 public:
  static constexpr size_t kMaxTokenBytes = 8192;
  explicit JwtVerifier(JwtSettings settings) : settings_(std::move(settings)) {}

  // The token's claims, or why it is refused.
  [[nodiscard]] std::variant<boost::json::object, std::string> verify(std::string_view token, const JwtKeys& keys,
                                                                      int64_t now_unix_seconds) const;
  [[nodiscard]] const JwtSettings& settings() const { return settings_; }

 private:
  JwtSettings settings_;
};

// The scopes a token grants: "scope" (space-separated, RFC 8693) or "scp" (an array).
std::set<std::string> token_scopes(const boost::json::object& claims);
// The roles a token carries: "roles" (an array of strings).
std::set<std::string> token_roles(const boost::json::object& claims);
// A claim as header text: strings as they are, other values as JSON.
std::string claim_text(const boost::json::value& v);

}  // namespace hyperion::plugins::api_gateway
