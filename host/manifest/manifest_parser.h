// Parses a manifest file or text into a Manifest, checking its structure: known
// keys only, the right types, unique instance names, well-formed pins. Plugin
// configs are checked later against each plugin's schema (ConfigValidator),
// because that needs the plugin's metadata. Thread-safety: stateless.
#pragma once

#include <string>

#include "base/status.h"
#include "manifest/interpolation.h"
#include "manifest/manifest.h"

namespace hyperion::manifest {

// kNotFound when the file cannot be read; kInvalidArgument listing every problem
// ("file:line:col: field: message", one per line).
StatusOr<Manifest> parse_manifest_file(const std::string& path);
StatusOr<Manifest> parse_manifest_text(const std::string& text, const std::string& path,
                                       const InterpolationEnv& env);

}  // namespace hyperion::manifest
