#include "cors.h"

#include "http_syntax.h"

#include <algorithm>
#include <cctype>

namespace hyperion::http_engine {
namespace {

bool contains(const std::vector<std::string>& items, std::string_view v) {
  return std::find(items.begin(), items.end(), v) != items.end();
}

bool origin_allowed(const CorsConfig& cors, std::string_view origin) {
  return !origin.empty() && (contains(cors.allow_origins, "*") || contains(cors.allow_origins, origin));
}

}  // namespace

std::string comma_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ", ";
    out += i;
  }
  return out;
}

std::string_view header_value(const Fields& fields, std::string_view name) {
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return {};
}

bool is_preflight(std::string_view method, const Fields& headers) {
  return method == "OPTIONS" && !header_value(headers, "origin").empty() &&
         !header_value(headers, "access-control-request-method").empty();
}

void add_cors_headers(const CorsConfig& cors, std::string_view origin, Fields& out) {
  if (!cors.enabled()) return;
  out.emplace_back("vary", "Origin");
  if (!origin_allowed(cors, origin)) return;
  bool any = contains(cors.allow_origins, "*");
  out.emplace_back("access-control-allow-origin", any ? std::string("*") : std::string(origin));
  if (cors.allow_credentials) out.emplace_back("access-control-allow-credentials", "true");
  if (!cors.expose_headers.empty()) out.emplace_back("access-control-expose-headers", comma_list(cors.expose_headers));
}

PreflightAnswer answer_preflight(const CorsConfig& cors, const Fields& request_headers,
                                 const std::vector<std::string>& route_methods) {
  PreflightAnswer a;
  std::string_view origin = header_value(request_headers, "origin");
  if (!cors.enabled()) {
    a.status = 403;
    a.detail = "cross-origin requests are not enabled on this server (cors.allow_origins)";
    return a;
  }
  if (!origin_allowed(cors, origin)) {
    a.status = 403;
    a.detail = "origin " + std::string(origin) + " is not in cors.allow_origins";
    a.headers.emplace_back("vary", "Origin");
    return a;
  }
  std::string_view method = header_value(request_headers, "access-control-request-method");
  const std::vector<std::string>& methods = cors.allow_methods.empty() ? route_methods : cors.allow_methods;
  if (!contains(methods, method) || !contains(route_methods, method)) {
    a.status = 403;
    a.detail = "method " + std::string(method) + " is not allowed here (allowed: " + comma_list(methods) + ")";
    a.headers.emplace_back("vary", "Origin");
    return a;
  }
  std::string_view asked = header_value(request_headers, "access-control-request-headers");
  std::vector<std::string> granted;
  size_t at = 0;
  while (at <= asked.size() && !asked.empty()) {
    size_t comma = asked.find(',', at);
    std::string name =
        to_lower(trim_ows(asked.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at)));
    if (!name.empty()) {
      if (!contains(cors.allow_headers, name)) {
        a.status = 403;
        a.detail = "request header " + name + " is not in cors.allow_headers";
        a.headers.emplace_back("vary", "Origin");
        return a;
      }
      granted.push_back(name);
    }
    if (comma == std::string_view::npos) break;
    at = comma + 1;
  }
  add_cors_headers(cors, origin, a.headers);
  a.headers.emplace_back("access-control-allow-methods", comma_list(methods));
  if (!granted.empty()) a.headers.emplace_back("access-control-allow-headers", comma_list(granted));
  a.headers.emplace_back("access-control-max-age", std::to_string(cors.max_age_s));
  return a;
}

}  // namespace hyperion::http_engine
