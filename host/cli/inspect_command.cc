#include <iostream>

#include "cli/commands.h"
#include "loader/library_report.h"

namespace hyperion::cli {

int inspect_command(const std::string& library, bool json) {
  auto report = loader::inspect_library(library);
  if (!report.ok()) {
    std::cerr << "hyperion: " << report.status().message() << "\n";
    return 1;
  }
  std::cout << (json ? report->to_json() + "\n" : report->to_text());
  // Not a plugin at all is a failure; a plugin that cannot unload is a warning.
  return report->is_plugin() ? 0 : 1;
}

}  // namespace hyperion::cli
