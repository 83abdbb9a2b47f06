// How keys under a prefix become a config layer (docs/remote-config.md):
//   <prefix>/<instance>            a YAML or JSON object: a merge patch of that instance's config
//   <prefix>/<instance>/<a>/<b>    one field, a.b; the value as JSON, else as a plain string
//   <prefix>/host/log_level        the host's log level (also host/log_format)
// Deeper keys win over the object at <prefix>/<instance>. A key deleted from the
// store is simply absent: the layer no longer sets it, and the manifest's value
// is back. Keys that cannot be mapped are reported, each with its key, and the
// layer is not proposed (the last good one keeps running).
// Thread-safety: pure functions.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

namespace hyperion::plugins::consul_config {

struct MappedLayer {
  boost::json::object layer;        // {"instances": {...}, "host": {...}} for config_propose_layer
  std::vector<std::string> errors;  // "key hyperion/shop/x: why"
};

// `kvs`: full key -> value, as read from the store; `prefix` without or with a trailing '/'.
MappedLayer map_keys(const std::string& prefix, const std::map<std::string, std::string>& kvs);

// A value as the mapping reads it: JSON when it parses as JSON, else the text as a string.
boost::json::value parse_value(const std::string& text);

}  // namespace hyperion::plugins::consul_config
