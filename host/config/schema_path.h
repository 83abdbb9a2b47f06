// Walking a plugin's config schema along a JSON Pointer: which schema node
// describes a field, and which annotation ("x-dynamic", "x-secret") is in force
// there (the innermost explicit one on the way down wins).
// Thread-safety: pure functions over values.
#pragma once

#include <boost/json/object.hpp>
#include <string>

namespace hyperion::config {

// The schema node that describes `pointer`, following "properties",
// "additionalProperties" and "items"; nullptr when the schema says nothing.
const boost::json::object* schema_at(const boost::json::object& schema, const std::string& pointer);

// The innermost boolean `annotation` on the path from the root to `pointer`
// (false when none says).
bool inherited_annotation(const boost::json::object& schema, const std::string& pointer, const char* annotation);

}  // namespace hyperion::config
