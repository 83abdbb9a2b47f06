// Diagnostics: the errors found in a manifest, each with file, line and field,
// collected so that `hyperion validate` reports all of them at once.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "manifest/source_location.h"

namespace hyperion::manifest {

struct Diagnostic {
  SourceLocation where;
  std::string field;  // "plugins[1].config.port"; empty for the whole file
  std::string message;
  // When the problem is one instance's: its name, and the field inside its
  // config as a JSON Pointer ("/port"; empty when not a config field). What
  // a reload's refusal carries as error.plugin and error.field.
  std::string instance = {};
  std::string config_pointer = {};

  [[nodiscard]] std::string to_string() const {
    std::string out = where.to_string() + ": ";
    if (!field.empty()) out += field + ": ";
    return out + message;
  }
};

using Diagnostics = std::vector<Diagnostic>;

// "/plugins/1/config/port" -> "plugins[1].config.port"
std::string pointer_to_field(const std::string& json_pointer);

// OK when empty; otherwise kInvalidArgument with one diagnostic per line.
Status to_status(const Diagnostics& diagnostics);

}  // namespace hyperion::manifest
