#include "request_target.h"

#include "route_table.h"

namespace hyperion::http_engine {

bool parse_query(std::string_view q, std::vector<std::pair<std::string, std::string>>& out) {
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view item = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string key;
    std::string value;
    if (!percent_decode(item.substr(0, eq), key, true)) return false;
    if (eq != std::string_view::npos && !percent_decode(item.substr(eq + 1), value, true)) return false;
    out.emplace_back(std::move(key), std::move(value));
  }
  return true;
}

bool parse_target(std::string_view target, RequestTarget& out, std::string& error) {
  if (target.empty() || target[0] != '/') {
    error = "the request target must be a path (origin-form)";
    return false;
  }
  size_t q = target.find('?');
  out.raw_path = target.substr(0, q);
  if (!percent_decode(out.raw_path, out.path)) {
    error = "the path is not valid percent-encoding";
    return false;
  }
  if (q != std::string_view::npos && !parse_query(target.substr(q + 1), out.query)) {
    error = "the query is not valid percent-encoding";
    return false;
  }
  return true;
}

}  // namespace hyperion::http_engine
