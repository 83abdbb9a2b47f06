// Interpolation of manifest values:
//   ${NAME}            the environment variable NAME; an error if it is unset
//   ${NAME:-default}   NAME, or `default` when NAME is unset or empty
//   ${file:PATH}       the contents of PATH (relative to the manifest's folder; a
//                      regular file of at most 1 MiB),
//                      without trailing newlines: the way to reference a secret
//   $${                a literal "${"
//   ${part.field}      left as it is (a name with a dot is never an environment
//                      variable): plugins' own references, e.g. the api-gateway's
// Thread-safety: stateless.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace hyperion::manifest {

struct InterpolationEnv {
  // Looks an environment variable up; nullopt when unset.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  // Folder that relative ${file:...} paths start from.
  std::string base_dir;
  // Leave every ${...} as written (yaml_to_json): how two stored revisions'
  // manifests are compared, without reading the environment or secret files.
  bool as_written = false;
};

// The process environment, with ${file:} relative to `base_dir`.
InterpolationEnv process_env(std::string base_dir);

struct Interpolated {
  std::string value;
  bool changed = false;    // any ${...} was replaced
  bool secret = false;     // a ${file:...} was read
};

// kInvalidArgument naming the problem (unset variable, unreadable file, syntax).
StatusOr<Interpolated> interpolate(std::string_view raw, const InterpolationEnv& env);

}  // namespace hyperion::manifest
