#include "paths/state_directory.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace hyperion::paths {

std::string default_state_dir(const std::string& app) {
  namespace fs = std::filesystem;
  if (const char* dir = std::getenv("HYPERION_STATE_DIR"); dir != nullptr && *dir != '\0') return dir;
  // A systemd unit with StateDirectory= (the first folder when it names
  // several); one subfolder per app, so several apps may share it.
  if (const char* systemd = std::getenv("STATE_DIRECTORY"); systemd != nullptr && *systemd != '\0') {
    std::string first(systemd);
    first = first.substr(0, first.find(':'));
    if (!first.empty()) return (fs::path(first) / app).string();
  }
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg != '\0') {
    return (fs::path(xdg) / "hyperion" / app).string();
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return (fs::path(home) / ".local" / "state" / "hyperion" / app).string();
  }
  return (fs::path("/tmp") / ("hyperion-" + std::to_string(getuid())) / app).string();
}

}  // namespace hyperion::paths
