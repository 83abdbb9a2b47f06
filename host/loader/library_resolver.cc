#include "loader/library_resolver.h"

#include <filesystem>

namespace hyperion::loader {

StatusOr<std::string> LibraryResolver::resolve(const std::string& library, const std::string& base_dir) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (library.find('/') != std::string::npos) {
    fs::path p(library);
    if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
    p = p.lexically_normal();
    if (!fs::exists(p, ec)) return not_found("loader: library file " + p.string() + " does not exist");
    return p.string();
  }
  std::string tried;
  for (const std::string& dir : search_path_) {
    for (const std::string& candidate : {library + ".so", "lib" + library + ".so", library}) {
      fs::path p = fs::path(dir) / candidate;
      if (fs::is_regular_file(p, ec)) return p.lexically_normal().string();
      tried += "\n  " + p.string();
    }
  }
  if (search_path_.empty()) {
    return not_found("loader: library \"" + library + "\" not found: the plugin search path is empty "
                     "(set host.plugin_path, --plugin-path or HYPERION_PLUGIN_PATH)");
  }
  return not_found("loader: library \"" + library + "\" not found; looked for:" + tried);
}

}  // namespace hyperion::loader
