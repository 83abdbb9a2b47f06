// Walking a plugin's config schema along a JSON Pointer: which schema node
// describes a field, and which annotation ("x-dynamic", "x-secret") is in force
// there (the innermost explicit one on the way down wins).
// Thread-safety: pure functions over values.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <string_view>

namespace hyperion::config {

// The schema node that describes `pointer`, following "properties",
// "additionalProperties" and "items"; nullptr when the schema says nothing.
const boost::json::object* schema_at(const boost::json::object& schema, const std::string& pointer);

// The innermost boolean `annotation` on the path from the root to `pointer`
// (false when none says).
bool inherited_annotation(const boost::json::object& schema, const std::string& pointer, const char* annotation);

// Calls visit(node) for the root and every schema node on the way down to
// `pointer`, as far as the schema describes it: for reading several
// annotations in one walk (read_annotation on each node, innermost last).
void visit_schema_path(const boost::json::object& schema, std::string_view pointer,
                       const std::function<void(const boost::json::object&)>& visit);

// Sets `value` when `node` has a boolean `annotation`.
void read_annotation(const boost::json::object& node, const char* annotation, bool& value);

}  // namespace hyperion::config
