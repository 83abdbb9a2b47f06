// JSON Merge Patch (RFC 7386): how a configuration source's layer changes an
// instance's config. An object patch merges key by key, a null removes the key,
// anything else replaces the target whole (arrays included).
// Thread-safety: pure functions over values.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

namespace hyperion {

// `target` with `patch` applied (RFC 7386, section 2).
boost::json::value apply_merge_patch(const boost::json::value& target, const boost::json::value& patch);

// The JSON Pointers of the fields `patch` sets (not the ones it removes):
// every non-object, non-null value, by its path ("/db/port").
std::vector<std::string> merge_patch_fields(const boost::json::value& patch);

}  // namespace hyperion
