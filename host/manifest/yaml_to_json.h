// Turns a YAML document into JSON, the form configs cross the ABI in: plain
// scalars are typed by the YAML 1.2 core schema (null, bool, int, float, else
// string), quoted scalars stay strings, ${...} is interpolated in every scalar
// (before typing, so `port: ${PORT:-8080}` is a number), and the source position
// of every value is kept by JSON Pointer. Duplicate keys and non-string keys are
// errors. Thread-safety: stateless.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <set>
#include <string>

#include "manifest/diagnostic.h"
#include "manifest/interpolation.h"
#include "manifest/source_location.h"

namespace hyperion::manifest {

struct JsonDocument {
  boost::json::value root;
  LocationMap locations;
  // JSON Pointers of values that came from ${file:...} (secrets).
  std::set<std::string> secret_pointers;
  // The text of plain scalars that were typed as something other than a string
  // (e.g. a pin of 64 digits), for fields that want a string whatever it looks like.
  std::map<std::string, std::string> plain_text;
};

// Parses `text` (named `file` in errors). Appends every problem to `diagnostics`;
// the document is meaningful only if none was added.
JsonDocument yaml_to_json(const std::string& text, const std::string& file,
                          const InterpolationEnv& env, Diagnostics& diagnostics);

}  // namespace hyperion::manifest
