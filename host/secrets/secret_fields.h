// Which fields of a config are secret, and their redaction. A field is secret
// when its schema says "x-secret": true (on it or an enclosing object), or when
// its value came from ${file:...} in the manifest (`secret_fields`, JSON
// Pointers recorded by the manifest parser). Every rendering of a config the
// host makes (diffs, views, stored revisions) goes through redact(); the values
// themselves go to the SecretScrubber through secret_values().
// Thread-safety: pure functions over values.
#pragma once

#include <boost/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hyperion::secrets {

// Whether `pointer` is one of `secret_fields` (values from ${file:...}), an
// object holding one, or a field inside one.
bool touches_secret_field(const std::set<std::string>& secret_fields, std::string_view pointer);

// Whether the field at `pointer` is secret, or an object holding a ${file:} value.
bool is_secret_path(const boost::json::object& schema, const std::string& pointer,
                    const std::set<std::string>& secret_fields);

struct Redacted {
  boost::json::value value;  // every secret inside replaced by kRedactedMarker
  bool withheld = false;     // whether anything was replaced
};

// `value` (found at `pointer`) with every secret inside it replaced.
Redacted redact(const boost::json::value& value, const std::string& pointer, const boost::json::object& schema,
                const std::set<std::string>& secret_fields);

// The values redact() would replace: every string (and the text of every other
// value) at a secret path inside `value`, for the SecretScrubber.
std::vector<std::string> secret_values(const boost::json::value& value, const std::string& pointer,
                                       const boost::json::object& schema, const std::set<std::string>& secret_fields);

}  // namespace hyperion::secrets
