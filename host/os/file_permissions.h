// Whether a file could be replaced by anyone on the machine: the check the
// loader makes before it trusts a plugin library (docs/security.md).
// Thread-safety: stateless.
#pragma once

#include <optional>
#include <string>

namespace hyperion::os {

// Why `path` is writable by every user, or nullopt when it is not: the file is
// world-writable, or the folder that holds it is (so the file could be
// replaced). The folder counts even with the sticky bit: /tmp is no place to
// load code from. Only the immediate folder is checked, not its ancestors.
std::optional<std::string> world_writable(const std::string& path);

}  // namespace hyperion::os
