#include "problem.h"

#include <boost/beast/http/status.hpp>
#include <boost/json.hpp>

namespace hyperion::http_engine {

std::string_view reason_phrase(int status) {
  auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  if (reason.empty() || reason == "<unknown-status>") return "Unknown";
  return {reason.data(), reason.size()};
}

std::string problem_body(int status, std::string_view detail, std::string_view instance) {
  boost::json::object o;
  o["type"] = "about:blank";
  o["title"] = reason_phrase(status);
  o["status"] = status;
  if (!detail.empty()) o["detail"] = detail;
  if (!instance.empty()) o["instance"] = instance;
  return boost::json::serialize(o);
}

}  // namespace hyperion::http_engine
