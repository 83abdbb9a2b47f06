// File digests: the sha256 that names a library in the content-addressed cache
// and that a manifest's `sha256:` pin is checked against.
// Thread-safety: stateless; call from any thread.
#pragma once

#include <string>

#include "base/status.h"

namespace hyperion::os {

// Lower-case hex sha256 of the file's contents.
StatusOr<std::string> sha256_file(const std::string& path);
// Lower-case hex sha256 of `data`.
std::string sha256_hex(const std::string& data);

}  // namespace hyperion::os
