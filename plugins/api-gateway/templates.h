// Request templates: a route's gRPC body or URL with "{param}" replaced by a
// path parameter and, in an aggregate's parts, "${part.field.sub}" by a field
// of another part's result. A string that is exactly one "${...}" becomes
// that value itself (a number stays a number, an object an object).
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hyperion::plugins::api_gateway {

using PathParams = std::map<std::string, std::string, std::less<>>;
// The results of the parts answered so far, by part name.
using PartResults = std::map<std::string, boost::json::value, std::less<>>;

// Thrown when "${part.x}" names a result that is not there (the part gave
// none, or its result has no such field).
class MissingResult : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

boost::json::value fill_template(const boost::json::value& v, const PathParams& params, const PartResults* results);
// A URL template: values percent-encoded (a "{rest...}" value keeps its slashes).
std::string fill_url(const std::string& url, const PathParams& params, const PartResults* results);

}  // namespace hyperion::plugins::api_gateway
