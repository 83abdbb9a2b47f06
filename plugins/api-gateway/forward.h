// What every upstream call of a request carries, shared by the single-upstream
// routes (forward.cc) and aggregates (aggregate.cc).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api_gateway.h"
#include "templates.h"

namespace hyperion::plugins::api_gateway {

// The route's path parameters of `request`, by name.
PathParams path_params(const RouteSpec& route, const hyperion::http::Request& request);
// The (header or metadata name, text) pairs auth.jwt.forward makes of `claims`.
std::vector<std::pair<std::string, std::string>> forwarded_claims(const GatewayConfig& config, const Claims& claims);

}  // namespace hyperion::plugins::api_gateway
