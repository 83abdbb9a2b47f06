#include "paths/plugin_search_path.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#ifndef HYPERION_RELATIVE_PLUGIN_DIR
#error "HYPERION_RELATIVE_PLUGIN_DIR must be defined by the build"
#endif

namespace hyperion::paths {

std::string executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return ".";
  return exe.parent_path().string();
}

std::vector<std::string> plugin_search_path(const std::vector<std::string>& command_line,
                                            const std::vector<std::string>& manifest) {
  std::vector<std::string> out = command_line;
  if (const char* env = std::getenv("HYPERION_PLUGIN_PATH")) {
    std::stringstream in(env);
    for (std::string dir; std::getline(in, dir, ':');) {
      if (!dir.empty()) out.push_back(dir);
    }
  }
  out.insert(out.end(), manifest.begin(), manifest.end());
  out.push_back((std::filesystem::path(executable_dir()) / HYPERION_RELATIVE_PLUGIN_DIR).lexically_normal().string());
  return out;
}

}  // namespace hyperion::paths
