// The plugin search path, in the order it is searched:
//   1. --plugin-path options on the command line
//   2. HYPERION_PLUGIN_PATH (colon-separated)
//   3. host.plugin_path in the manifest
//   4. the plugin folder beside the hyperion binary (<bindir>/../<libdir>/hyperion/plugins),
//      which is where both the build tree and an installed package put plugins.
#pragma once

#include <string>
#include <vector>

namespace hyperion::paths {

std::vector<std::string> plugin_search_path(const std::vector<std::string>& command_line,
                                            const std::vector<std::string>& manifest);

// The folder of the running executable (from /proc/self/exe).
std::string executable_dir();

}  // namespace hyperion::paths
