#include "os/file_permissions.h"

#include <sys/stat.h>

#include <filesystem>

namespace hyperion::os {

std::optional<std::string> world_writable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IWOTH) != 0) return path + " is world-writable";
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & S_IWOTH) != 0) {
    return path + " is in a world-writable folder (" + dir.string() + ")";
  }
  return std::nullopt;
}

}  // namespace hyperion::os
