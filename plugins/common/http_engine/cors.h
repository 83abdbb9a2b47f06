// CORS (the Fetch standard's CORS protocol) from the server's configuration:
// headers on actual responses, and the answers to preflight requests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "exchange.h"
#include "settings.h"

namespace hyperion::http_engine {

// An OPTIONS request with Origin and Access-Control-Request-Method.
bool is_preflight(std::string_view method, const Fields& headers);

// Adds Access-Control-Allow-Origin (and friends) to a response for `origin`
// when it is allowed; always adds "Vary: Origin" when CORS is configured.
void add_cors_headers(const CorsConfig& cors, std::string_view origin, Fields& out);

struct PreflightAnswer {
  int status = 204;
  Fields headers;
  std::string detail;  // why it was refused (403)
};
// `route_methods`: what the route answers (Allow).
PreflightAnswer answer_preflight(const CorsConfig& cors, const Fields& request_headers,
                                 const std::vector<std::string>& route_methods);

// "GET, HEAD, OPTIONS": a header's list syntax (Allow, Access-Control-*).
std::string comma_list(const std::vector<std::string>& items);

// The first value of header `name` (lower-case) in `fields`, or empty.
std::string_view header_value(const Fields& fields, std::string_view name);

}  // namespace hyperion::http_engine
