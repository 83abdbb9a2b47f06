// Walking a plugin's config schema along a JSON Pointer: which schema node
// describes a field, and which annotation ("x-dynamic", "x-secret") is in force
// there (the innermost explicit one on the way down wins).
// Thread-safety: pure functions over values.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "base/json_pointer.h"

namespace hyperion::config {

// The schema node that describes `pointer`, following "properties",
// "additionalProperties" and "items"; nullptr when the schema says nothing.
const boost::json::object* schema_at(const boost::json::object& schema, const std::string& pointer);

// The innermost boolean `annotation` on the path from the root to `pointer`
// (false when none says).
bool inherited_annotation(const boost::json::object& schema, const std::string& pointer, const char* annotation);

// The schema node one step down from `node` for the pointer token `token`
// ("properties", else "additionalProperties", else "items"); nullptr when none.
const boost::json::object* child_schema(const boost::json::object& node, std::string_view token);

// Calls visit(node) for the root and every schema node on the way down to
// `pointer`, as far as the schema describes it: for reading several
// annotations in one walk (read_annotation on each node, innermost last).
// A template, not a std::function: it runs once per changed field of every diff.
template <typename Visit>
void visit_schema_path(const boost::json::object& schema, std::string_view pointer, Visit&& visit) {
  const boost::json::object* node = &schema;
  visit(*node);
  for_each_json_pointer_token(pointer, [&](std::string_view token) {
    node = child_schema(*node, token);
    if (node != nullptr) visit(*node);
    return node != nullptr;
  });
}

// Sets `value` when `node` has a boolean `annotation`.
void read_annotation(const boost::json::object& node, const char* annotation, bool& value);

}  // namespace hyperion::config
