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

// One placeholder of a template string: text[begin, end) is "{name}" or
// "${name}" (result: the latter, a part's result).
struct Placeholder {
  size_t begin;
  size_t end;
  std::string_view name;
  bool result;
};

// Calls fn(Placeholder) for every placeholder of `text`, in order. The one
// reading of the syntax, for the config's checks and the requests' filling.
template <typename Fn>
void for_each_placeholder(std::string_view text, Fn&& fn) {
  for (size_t open = text.find('{'); open != std::string_view::npos;) {
    const size_t close = text.find('}', open);
    if (close == std::string_view::npos) return;
    const bool result = open > 0 && text[open - 1] == '$';
    fn(Placeholder{result ? open - 1 : open, close + 1, text.substr(open + 1, close - open - 1), result});
    open = text.find('{', close + 1);
  }
}

boost::json::value fill_template(const boost::json::value& v, const PathParams& params, const PartResults* results);
// A URL template: values percent-encoded (a "{rest...}" value keeps its slashes).
std::string fill_url(const std::string& url, const PathParams& params, const PartResults* results);

}  // namespace hyperion::plugins::api_gateway
