#include "paths/state_directory.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace hyperion::paths {

std::string default_state_dir(const std::string& app) {
  namespace fs = std::filesystem;
  if (const char* dir = std::getenv("HYPERION_STATE_DIR"); dir != nullptr && *dir != '\0') return dir;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg != '\0') {
    return (fs::path(xdg) / "hyperion" / app).string();
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return (fs::path(home) / ".local" / "state" / "hyperion" / app).string();
  }
  return (fs::path("/tmp") / ("hyperion-" + std::to_string(getuid())) / app).string();
}

}  // namespace hyperion::paths
