// SchemaSamples: what `hyperion check` derives from a plugin's config schema —
// the dynamic fields it can change one at a time, the "x-dynamic" annotations
// the host never reads, and values to try: a different valid value for a field
// (to prove a live reload really applies it) and one the schema refuses (to
// prove the plugin never sees it). Candidates are judged by the plugin's own
// compiled schema, so every constraint it states (ranges, patterns, formats)
// is honoured without being re-implemented here.
// Thread-safety: pure functions over values.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "config/config_validator.h"

namespace hyperion::check {

// JSON Pointers of the fields a reload may change, as the host classifies them
// (config/schema_path.h): every property reached through "properties" whose
// innermost "x-dynamic" is true. A dynamic object with properties is entered
// (each of its fields is changed on its own); one without is a field itself.
std::vector<std::string> dynamic_fields(const boost::json::object& schema);

// Where in the schema (JSON Pointers into the schema document) an "x-dynamic"
// annotation sits that no config field is classified by: inside "definitions",
// "$defs", "oneOf" and the like, which the host does not follow. Such a field
// would restart its instance while its author believes it reloads.
std::vector<std::string> unread_dynamic_annotations(const boost::json::object& schema);

// `config` with `value` at `pointer` (objects on the way are created).
boost::json::object with_value(boost::json::object config, const std::string& pointer, const boost::json::value& value);
// The value at `pointer` in `config`, or nullptr.
const boost::json::value* value_at(const boost::json::object& config, const std::string& pointer);

// Up to `max` values for `pointer` that differ from the one in `config` and
// that the schema accepts (the whole config is validated with each), most
// telling first: the field's "examples", its enum, steps from the current
// value (the last number in a string stepped, so "5s" gives "6s"), bounds.
// Empty when none of the candidates the field's schema suggests is valid.
std::vector<boost::json::value> different_valid_values(const config::ConfigValidator& validator,
                                                       const boost::json::object& schema,
                                                       const boost::json::object& config, const std::string& pointer,
                                                       size_t max);

// A value for `pointer` the schema refuses, or nullopt when it accepts every
// kind of JSON value there (a string, a fraction, a boolean, a list, an object, null).
std::optional<boost::json::value> refused_value(const config::ConfigValidator& validator,
                                                const boost::json::object& config, const std::string& pointer);

}  // namespace hyperion::check
