// The request target (RFC 9112 origin-form "/path?query") taken apart: the
// path still encoded for routing and decoded for handlers, the query decoded
// into pairs. Pure functions, fuzzed (fuzz/http_request_fuzzer.cc).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hyperion::http_engine {

// "a=1&b=x+y" -> decoded pairs in order ("+" is a space; "k" alone has an empty
// value); false when an escape is malformed.
bool parse_query(std::string_view query, std::vector<std::pair<std::string, std::string>>& out);

struct RequestTarget {
  std::string_view raw_path;  // as sent, for routing (segments decode one by one)
  std::string path;           // decoded
  std::vector<std::pair<std::string, std::string>> query;
};
// Splits and decodes an origin-form target; false with `error` (for a 400) otherwise.
bool parse_target(std::string_view target, RequestTarget& out, std::string& error);

}  // namespace hyperion::http_engine
